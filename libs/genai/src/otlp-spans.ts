/**
 * The spans of one OTLP `ExportTraceServiceRequest`, decoded from JSON or protobuf into one shape:
 * ids as lowercase hex, times as decimal nanosecond strings (they overflow a double's integers),
 * attribute values as plain JSON. Resource and scope are copied onto each span (they are few and
 * small), so later steps look at one span at a time.
 */
export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

/** OTLP's SpanKind enum (0 = unspecified). */
export const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

/** OTLP's status code enum. */
export const STATUS_CODES = ['unset', 'ok', 'error'] as const;
export type StatusCodeName = (typeof STATUS_CODES)[number];

export interface OtlpSpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: Attributes;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attributes;
  events: OtlpSpanEvent[];
  status: { code: StatusCodeName; message?: string };
  resource: Attributes;
  scope: { name: string; version?: string };
}

/** Bounds on what one request may make us hold: past them the request is refused (400), not trimmed. */
export const OTLP_LIMITS = {
  /** Spans in one request. */
  spans: 5_000,
  /** Attributes on one span, event or resource. */
  attributes: 256,
  /** Nesting of array/kvlist values. */
  depth: 8,
  /** Events on one span. */
  events: 128,
};

/** An OTLP payload we cannot take: `reason` names the field (for the 400). */
export class OtlpDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'OtlpDecodeError';
  }
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Checks the ids of a decoded span (OTLP: non-zero, 16 and 8 bytes), naming the field at fault. */
export function checkIds(span: Pick<OtlpSpan, 'traceId' | 'spanId' | 'parentSpanId'>, at: string): void {
  if (!/^[0-9a-f]{32}$/.test(span.traceId) || span.traceId === ZERO_TRACE)
    throw new OtlpDecodeError(`${at}.traceId must be 16 bytes (32 hex digits), not all zero`);
  if (!/^[0-9a-f]{16}$/.test(span.spanId) || span.spanId === ZERO_SPAN)
    throw new OtlpDecodeError(`${at}.spanId must be 8 bytes (16 hex digits), not all zero`);
  if (span.parentSpanId !== undefined && !/^[0-9a-f]{16}$/.test(span.parentSpanId))
    throw new OtlpDecodeError(`${at}.parentSpanId must be empty or 8 bytes (16 hex digits)`);
}

/** A batch with more spans than `OTLP_LIMITS.spans` (for the 413). */
export class OtlpBatchTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} spans in one request; send smaller batches`);
    this.name = 'OtlpBatchTooLargeError';
  }
}

/** Counts spans as they are decoded, refusing the request past the limit. */
export class SpanBudget {
  private n = 0;
  take(): void {
    if (++this.n > OTLP_LIMITS.spans) throw new OtlpBatchTooLargeError(OTLP_LIMITS.spans);
  }
}
