import { z } from 'zod';
import { CohortSelector } from '../common/schema';

export const KillSwitchChangedType = 'agentops.killswitch.changed.v1' as const;

export const KillSwitchChangedV1 = z.object({
  switchId: z.string().uuid(),
  selector: CohortSelector,
  state: z.enum(['active', 'released']),
  actor: z.string().min(1),
  reason: z.string().min(1).max(2000),
  ticket: z.string().max(200).optional(),
  expiresAt: z.string().datetime({ offset: true }).optional(),
  /** Half-open breakers: the share of covered intents let through, chosen by intent id (same at every instance). */
  passRatio: z.number().min(0).max(1).optional(),
  changedAt: z.string().datetime({ offset: true }),
});
export type KillSwitchChangedV1 = z.infer<typeof KillSwitchChangedV1>;
