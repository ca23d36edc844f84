import { z } from 'zod';

/**
 * `POST /v1/rollouts`: the `AgentRollout` document itself (JSON), or `{ "yaml": "<document>" }`.
 * Field checks are the library's (`validateRollout`): a 400 names every failing field.
 */
export const ApplyRequest = z.union([
  z.object({ yaml: z.string().min(1).max(200_000) }).strict(),
  z.record(z.string(), z.unknown()),
]);
export type ApplyRequest = z.infer<typeof ApplyRequest>;

export const ActionRequest = z
  .object({ reason: z.string().min(1).max(2000).optional() })
  .strict()
  .default({});
export type ActionRequest = z.infer<typeof ActionRequest>;

export const PromoteRequest = z
  .object({
    reason: z.string().min(1).max(2000).optional(),
    /** The candidate to promote; a canary's only candidate by default. */
    variant: z.string().min(1).max(50).optional(),
  })
  .strict()
  .default({});
export type PromoteRequest = z.infer<typeof PromoteRequest>;

/** A rollout named by id (uuid) or key (`metadata.name`, the newest of that key in the caller's tenant). */
export const RolloutRef = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*$/, 'a rollout id or key');
