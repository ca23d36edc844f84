import { z } from 'zod';
import { Identifier } from '../common/schema';
import { RolloutArmName, RolloutKey, RolloutStatusName } from '../rollout-changed/schema';

export const RolloutTransitionedType = 'agentops.rollout.transitioned.v1' as const;

export const RolloutTransition = z.enum([
  'applied',
  'advanced',
  'paused',
  'resumed',
  'promoted',
  'rolled_back',
  'concluded',
]);
export type RolloutTransition = z.infer<typeof RolloutTransition>;

/**
 * One transition of a rollout (applied, step advanced, paused, resumed, promoted, rolled back,
 * concluded), with who or what decided it and the evidence: the audit chain's record of why the
 * weights moved. An automatic rollback names the guardrail that proved harm and its numbers.
 */
export const RolloutTransitionedV1 = z.object({
  rolloutId: z.string().uuid(),
  key: RolloutKey,
  tenantId: Identifier,
  transition: RolloutTransition,
  /** `analysis` for the rollout's own decisions, `user:<id>` / `operator` for a human's. */
  actor: z.string().min(1).max(200),
  reason: z.string().min(1).max(2000),
  fromStatus: RolloutStatusName.optional(),
  status: RolloutStatusName,
  stepIndex: z.number().int().nonnegative(),
  weights: z.record(RolloutArmName, z.number().min(0).max(100)),
  /** The variant promoted or rolled back, when one is. */
  variant: RolloutArmName.optional(),
  /** Decisions counted per arm when it happened. */
  decisions: z.record(RolloutArmName, z.number().int().nonnegative()).default({}),
  /** The deciding numbers (guardrail result, SRM check), as the analysis reported them. */
  evidence: z.record(z.string(), z.unknown()).optional(),
  /** The kill switch that halts a rolled-back candidate's cohort, once flipped. */
  killSwitchId: z.string().uuid().optional(),
  at: z.string().datetime({ offset: true }),
});
export type RolloutTransitionedV1 = z.infer<typeof RolloutTransitionedV1>;
