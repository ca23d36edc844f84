import { z } from 'zod';

export const SpansExportedType = 'agentops.spans.exported.v1' as const;

/** Spans per event: a service's export batch (OTEL's default batch is 512). */
export const MAX_EXPORTED_SPANS = 512;

const TraceId = z.string().regex(/^[0-9a-f]{32}$/);
const SpanId = z.string().regex(/^[0-9a-f]{16}$/);
const Nanos = z.string().regex(/^\d{1,20}$/);
const Scalar = z.union([z.string().max(4096), z.number(), z.boolean()]);

/**
 * One of a service's own OpenTelemetry spans, as ingest's embedded trace store keeps it: the
 * intent's waterfall shows the platform's real steps (HTTP in, Kafka send and process, the decision
 * with its policies, the human's decision, verification, the audit append) without an external
 * backend. Span events and resources are not carried: the store shows steps, not logs.
 */
export const ExportedSpan = z.object({
  traceId: TraceId,
  spanId: SpanId,
  parentSpanId: SpanId.optional(),
  name: z.string().min(1).max(512),
  kind: z.enum(['internal', 'server', 'client', 'producer', 'consumer']),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos,
  /** The platform service whose code made the span, e.g. `guardrail`. */
  service: z.string().min(1).max(100),
  /** The instrumentation scope, e.g. `agentops/guardrail` or `@opentelemetry/instrumentation-http`. */
  scope: z.string().min(1).max(200),
  attributes: z.record(z.string().max(256), z.union([Scalar, z.array(Scalar).max(128)])),
  status: z.object({
    code: z.enum(['unset', 'ok', 'error']),
    message: z.string().max(1024).optional(),
  }),
  links: z.array(z.object({ traceId: TraceId, spanId: SpanId })).max(32),
});
export type ExportedSpan = z.infer<typeof ExportedSpan>;

/** A batch of a service's spans on `agentops.spans.v1`, keyed by the service's instance. */
export const SpansExportedV1 = z.object({
  spans: z.array(ExportedSpan).min(1).max(MAX_EXPORTED_SPANS),
});
export type SpansExportedV1 = z.infer<typeof SpansExportedV1>;
