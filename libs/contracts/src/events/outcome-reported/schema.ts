import { z } from 'zod';
import { ActionName } from '../common/schema';

export const OutcomeReportedType = 'agentops.outcome.reported.v1' as const;

/** The body an agent sends after acting. */
export const OutcomeReport = z.object({
  intentId: z.string().uuid(),
  action: ActionName,
  status: z.enum(['succeeded', 'failed', 'skipped']),
  executedParams: z.record(z.string(), z.unknown()).default({}),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.string().max(2000).optional(),
});
export type OutcomeReport = z.infer<typeof OutcomeReport>;

export const OutcomeReportedV1 = OutcomeReport.extend({
  outcomeId: z.string().uuid(),
  agentId: z.string().min(1),
  reportedAt: z.string().datetime({ offset: true }),
});
export type OutcomeReportedV1 = z.infer<typeof OutcomeReportedV1>;
