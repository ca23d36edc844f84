import { z } from 'zod';

export const EscalationResolvedType = 'agentops.escalation.resolved.v1' as const;

export const EscalationResolvedV1 = z.object({
  taskId: z.string().uuid(),
  intentId: z.string().uuid(),
  agentId: z.string().min(1),
  resolution: z.enum(['approved', 'rejected', 'modified', 'timed_out']),
  reviewers: z.array(z.string()),
  comment: z.string().max(4000).optional(),
  resolvedAt: z.string().datetime({ offset: true }),
});
export type EscalationResolvedV1 = z.infer<typeof EscalationResolvedV1>;
