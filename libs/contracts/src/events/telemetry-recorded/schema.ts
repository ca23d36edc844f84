import { z } from 'zod';
import { AgentIdentity } from '../common/schema';
import { DataAccessReport } from '../data-access/schema';

export const TelemetryRecordedType = 'agentops.telemetry.recorded.v1' as const;

const TelemetryFields = z.object({
  kind: z.enum(['model_call', 'tool_call', 'data_access', 'error']),
  name: z.string().min(1).max(200),
  intentId: z.string().uuid().optional(),
  durationMs: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  records: z.number().int().nonnegative().optional(),
  dataClasses: z.array(z.string().max(50)).max(20).default([]),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /**
   * A read or an egress as the SDK's `recordDataAccess` reports it (issue #17): what the access
   * monitor judges. Only on telemetry of kind `data_access`; ingest takes its records and data
   * classes as the report's own, so breakers count the same numbers.
   */
  access: DataAccessReport.optional(),
});

export const TelemetryReport = TelemetryFields.superRefine((report, ctx) => {
  if (report.access !== undefined && report.kind !== 'data_access')
    ctx.addIssue({ code: 'custom', path: ['access'], message: 'only on telemetry of kind data_access' });
});
export type TelemetryReport = z.infer<typeof TelemetryReport>;

export const TelemetryRecordedV1 = TelemetryFields.extend({
  agentId: z.string().min(1),
  recordedAt: z.string().datetime({ offset: true }),
  /** The data classes of an access report outside the agent's scopes, as ingest found them. */
  outOfScopeClasses: z.array(z.string().max(50)).max(20).optional(),
  /** For an access report: the agent's cohort and scopes as ingest authenticated it (the monitor's peers). */
  agent: AgentIdentity.pick({ role: true, version: true, scopes: true }).optional(),
});
export type TelemetryRecordedV1 = z.infer<typeof TelemetryRecordedV1>;
