import { z } from 'zod';
import { CohortSelector, Identifier } from '../common/schema';

export const RolloutChangedType = 'agentops.rollout.changed.v1' as const;

/** A rollout's key (`metadata.name` of its `AgentRollout`): what `agentops.variant(key, unit)` names. */
export const RolloutKey = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*$/, 'lowercase letters, digits, . and -');

/** A variant (arm) name of a rollout. */
export const RolloutArmName = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ and - only');

export const RolloutVariant = z
  .object({
    name: RolloutArmName,
    agentVersion: z.string().min(1).max(50).optional(),
    promptId: z.string().min(1).max(100).optional(),
    framework: z.string().min(1).max(100).optional(),
  })
  .strict();
export type RolloutVariant = z.infer<typeof RolloutVariant>;

export const RolloutStatusName = z.enum(['running', 'paused', 'rolled_back', 'promoted', 'concluded']);

/**
 * The current state of one rollout, on the compacted rollouts topic keyed by rollout id: what
 * every assignment point (the SDK through ingest, guardrail's variant gate) needs to answer
 * "which arm runs this unit" locally — the salt, the unit path, the arms and their weights.
 * `generation` grows with every change, so a follower keeps the newest.
 */
export const RolloutChangedV1 = z.object({
  rolloutId: z.string().uuid(),
  key: RolloutKey,
  tenantId: Identifier,
  mode: z.enum(['canary', 'experiment']),
  selector: CohortSelector,
  unitPath: z.string().min(1).max(200),
  salt: z.string().min(8).max(100),
  baseline: RolloutVariant,
  candidates: z.array(RolloutVariant).min(1).max(5),
  status: RolloutStatusName,
  stepIndex: z.number().int().nonnegative(),
  /** Percent per arm, as served now. */
  weights: z.record(RolloutArmName, z.number().min(0).max(100)),
  generation: z.number().int().nonnegative(),
  changedAt: z.string().datetime({ offset: true }),
});
export type RolloutChangedV1 = z.infer<typeof RolloutChangedV1>;
