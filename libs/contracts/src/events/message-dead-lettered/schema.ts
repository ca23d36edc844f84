import { z } from 'zod';

export const MessageDeadLetteredType = 'agentops.message.dead_lettered.v1' as const;

/** A message a consumer could not accept, kept whole so it can be inspected and replayed. */
export const MessageDeadLetteredV1 = z.object({
  reason: z.enum([
    'malformed',
    'schema_violation',
    'unknown_type',
    // The event's `ce_source` may not produce its type (or claim its decider) on this topic.
    'unauthorized_source',
    'handler_rejected',
    'retries_exhausted',
  ]),
  error: z.string().max(8000),
  origin: z.object({
    topic: z.string(),
    partition: z.number().int().nonnegative(),
    offset: z.string(),
    key: z.string().nullable(),
    consumerGroup: z.string(),
  }),
  originalValueBase64: z.string().nullable(),
  /**
   * Set when the original was too large to keep whole inside a DLQ record that the broker still
   * accepts: `originalValueBase64` then holds its first bytes only, and these say what it was.
   */
  originalTruncated: z
    .object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
  originalHeaders: z.record(z.string(), z.string()),
  rejectedAt: z.string().datetime({ offset: true }),
});
export type MessageDeadLetteredV1 = z.infer<typeof MessageDeadLetteredV1>;
