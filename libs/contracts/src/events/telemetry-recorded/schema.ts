import { z } from 'zod';

export const TelemetryRecordedType = 'agentops.telemetry.recorded.v1' as const;

export const TelemetryReport = z.object({
  kind: z.enum(['model_call', 'tool_call', 'data_access', 'error']),
  name: z.string().min(1).max(200),
  intentId: z.string().uuid().optional(),
  durationMs: z.number().nonnegative().optional(),
  costUsd: z.number().nonnegative().optional(),
  records: z.number().int().nonnegative().optional(),
  dataClasses: z.array(z.string().max(50)).max(20).default([]),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type TelemetryReport = z.infer<typeof TelemetryReport>;

export const TelemetryRecordedV1 = TelemetryReport.extend({
  agentId: z.string().min(1),
  recordedAt: z.string().datetime({ offset: true }),
});
export type TelemetryRecordedV1 = z.infer<typeof TelemetryRecordedV1>;
