import { z } from 'zod';

export const AuditRecordedType = 'agentops.audit.recorded.v1' as const;

export const AuditRecordedV1 = z.object({
  recordId: z.string().uuid(),
  chainId: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  event: z.object({
    id: z.string().uuid(),
    type: z.string(),
    source: z.string(),
    time: z.string(),
    tenantId: z.string(),
    agentId: z.string().optional(),
    correlationId: z.string().optional(),
    topic: z.string(),
  }),
  actor: z.object({ kind: z.enum(['agent', 'human', 'breaker', 'system']), id: z.string() }),
  payload: z.unknown(),
  recordedAt: z.string().datetime({ offset: true }),
});
export type AuditRecordedV1 = z.infer<typeof AuditRecordedV1>;
