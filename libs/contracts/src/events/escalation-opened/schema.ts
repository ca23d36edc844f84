import { z } from 'zod';
import { DecisionReason } from '../common/schema';

export const EscalationOpenedType = 'agentops.escalation.opened.v1' as const;

export const EscalationOpenedV1 = z.object({
  taskId: z.string().uuid(),
  intentId: z.string().uuid(),
  agentId: z.string().min(1),
  route: z.string().min(1),
  reasons: z.array(DecisionReason),
  slaDueAt: z.string().datetime({ offset: true }).optional(),
  openedAt: z.string().datetime({ offset: true }),
});
export type EscalationOpenedV1 = z.infer<typeof EscalationOpenedV1>;
