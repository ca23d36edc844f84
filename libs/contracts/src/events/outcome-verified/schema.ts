import { z } from 'zod';

export const OutcomeVerifiedType = 'agentops.outcome.verified.v1' as const;

export const OutcomeVerifiedV1 = z.object({
  intentId: z.string().uuid(),
  outcomeId: z.string().uuid(),
  agentId: z.string().min(1),
  violation: z.boolean(),
  differences: z.array(
    z.object({ field: z.string(), approved: z.unknown(), actual: z.unknown(), reason: z.string() }),
  ),
  verifiedAt: z.string().datetime({ offset: true }),
});
export type OutcomeVerifiedV1 = z.infer<typeof OutcomeVerifiedV1>;
