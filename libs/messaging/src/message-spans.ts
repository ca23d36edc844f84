import {
  Attributes,
  Context,
  Link,
  ROOT_CONTEXT,
  Span,
  SpanContext,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context,
  INVALID_SPAN_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { EventEnvelope, IntentDecidedType, IntentDecidedV1, SpansExportedType } from '@agentops/contracts';
import type { MessageOrigin } from './message-origin';
import { traceIdOf } from './trace-context';

/**
 * Kafka spans after the OpenTelemetry messaging conventions: a PRODUCER `send` span per published
 * event, whose context travels in the CloudEvents `traceparent` (the message's creation context),
 * and a CONSUMER `process` span per consumed event. The conventions ask a process span to link to
 * the creation context and allow it as the parent when one message is processed and no other
 * parent exists; both hold here (a Kafka handler has no ambient context), and one trace from the
 * SDK's call to the audit record is the point, so the process span is a child of the creation
 * context and carries the link as well, so backends that draw async hops as links show them.
 *
 * With no SDK started the API hands out non-recording spans that carry their parent's ids: the
 * header then keeps the trace the envelope names, as before there were spans.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & 1, isRemote: true };
}

export function traceparentOf(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-0${span.traceFlags & TraceFlags.SAMPLED ? 1 : 0}`;
}

/** The context an envelope's `traceparent` names (the root context when it names none). */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  const span = spanContextOf(traceparent);
  return span ? trace.setSpanContext(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}

/**
 * The traceparent of a new event: the active span's when it belongs to the cause's trace (or there
 * is no cause), so the event hangs under the span that produced it; otherwise none (the caller
 * falls back to a child of the cause).
 */
export function activeTraceparentFor(cause: string | undefined): string | undefined {
  const active = trace.getActiveSpan()?.spanContext();
  if (!active || !trace.isSpanContextValid(active)) return undefined;
  const causeTrace = traceIdOf(cause);
  if (causeTrace && causeTrace !== active.traceId) return undefined;
  return traceparentOf(active);
}

/**
 * Span batches (`agentops.spans.v1`) are sent and read without spans, and what their handler does
 * runs with tracing suppressed: a span made for them would be exported in the next batch, for ever.
 */
function untraced(event: EventEnvelope): boolean {
  return event.type === SpansExportedType;
}

const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

function tracerOf(source: string) {
  return trace.getTracer(source);
}

function eventAttributes(event: EventEnvelope, topic: string) {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.message.id': event.id,
    'cloudevents.event_id': event.id,
    'cloudevents.event_type': event.type,
    'cloudevents.event_source': event.source,
    ...(event.subject ? { 'cloudevents.event_subject': event.subject } : {}),
    ...(event.correlationid ? { 'agentops.intent_id': event.correlationid } : {}),
    'agentops.tenant_id': event.tenantid,
    ...(event.agentid ? { 'agentops.agent_id': event.agentid } : {}),
  };
}

/**
 * What a trace must show of a decision: the verdict, who decided, the policy set versions and the
 * policies that fired. Read off the decision event itself, so every service that decides (guardrail,
 * ingest's fail-closed and kill-switch answers, escalation's human decisions) shows them alike.
 */
export function decisionAttributes(event: EventEnvelope): Attributes {
  if (event.type !== IntentDecidedType) return {};
  const d = event.data as Partial<IntentDecidedV1>;
  const attributes: Attributes = {};
  if (d.verdict) attributes['agentops.decision.verdict'] = d.verdict;
  if (d.decidedBy) attributes['agentops.decision.decided_by'] = d.decidedBy;
  if (d.policySetVersions?.baseline)
    attributes['agentops.decision.policy_set.baseline'] = d.policySetVersions.baseline;
  if (d.policySetVersions?.tenant)
    attributes['agentops.decision.policy_set.tenant'] = d.policySetVersions.tenant;
  if (d.decisionSource) attributes['agentops.decision.source'] = d.decisionSource;
  const fired = (d.reasons ?? []).map((r) => r.policyId).filter((id): id is string => Boolean(id));
  if (fired.length) attributes['agentops.decision.policy_ids'] = fired;
  return attributes;
}

/**
 * A `send` span per event, child of the envelope's traceparent; what goes on the wire is the span's
 * own context. An active span of another trace (an HTTP request acting on a stored event) is linked.
 */
export function startProducerSpan(source: string, event: EventEnvelope, topic: string, key: string): Span {
  if (untraced(event)) return NO_SPAN;
  const parent = contextOfTraceparent(event.traceparent);
  const active = trace.getActiveSpan()?.spanContext();
  const links: Link[] =
    active && trace.isSpanContextValid(active) && active.traceId !== traceIdOf(event.traceparent)
      ? [{ context: active }]
      : [];
  const decision = decisionAttributes(event);
  // The span that decided (guardrail's processing of the intent, the request that failed closed)
  // carries the decision too, not only its send.
  if (links.length === 0 && Object.keys(decision).length) trace.getActiveSpan()?.setAttributes(decision);
  return tracerOf(source).startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      links,
      attributes: {
        ...eventAttributes(event, topic),
        ...decision,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.kafka.message.key': key,
      },
    },
    parent,
  );
}

/** What goes on the wire: the send span's context, or the envelope's own when no SDK gave it ids. */
export function wireTraceparent(span: Span, event: EventEnvelope): string | undefined {
  const sent = span.spanContext();
  return trace.isSpanContextValid(sent) ? traceparentOf(sent) : event.traceparent;
}

export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  }
  span.end();
}

/** A `process` span per consumed event (see the file's comment for parent and link). */
export function startConsumerSpan(
  source: string,
  event: EventEnvelope,
  origin: MessageOrigin,
  groupId: string,
): { span: Span; context: Context } {
  if (untraced(event)) return { span: NO_SPAN, context: suppressTracing(ROOT_CONTEXT) };
  const creation = spanContextOf(event.traceparent);
  const parent = creation ? trace.setSpanContext(ROOT_CONTEXT, creation) : ROOT_CONTEXT;
  const span = tracerOf(source).startSpan(
    `process ${origin.baseTopic}`,
    {
      kind: SpanKind.CONSUMER,
      links: creation ? [{ context: creation }] : [],
      attributes: {
        ...eventAttributes(event, origin.topic),
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.consumer.group.name': groupId,
        'messaging.destination.partition.id': String(origin.partition),
        'messaging.kafka.offset': Number(origin.offset),
        ...(origin.key !== null ? { 'messaging.kafka.message.key': origin.key } : {}),
      },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with `span` active, so logs and the events it produces carry its ids. */
export function withSpan<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** Marks the span in hand: the message it processes went to the DLQ. */
export function markDeadLettered(reason: string): void {
  const span = trace.getActiveSpan();
  span?.setAttribute('agentops.dead_letter.reason', reason);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason}` });
}

/**
 * A chunk of a batch consumer: a process span per event (each the child of its own creation
 * context, so each event's trace gets its hop), all lasting as long as the chunk. A chunk of one
 * runs inside its span; a larger one runs in a `process` span of its own that links every event.
 */
export async function inChunkSpans<T>(
  source: string,
  items: { event: EventEnvelope; origin: MessageOrigin }[],
  groupId: string,
  fn: () => Promise<T>,
): Promise<T> {
  const spans = items.map(({ event, origin }) => startConsumerSpan(source, event, origin, groupId));
  let chunk: Span | undefined;
  let ctx = spans[0]?.context ?? ROOT_CONTEXT;
  if (spans.length > 1 && !items.every(({ event }) => untraced(event))) {
    chunk = tracerOf(source).startSpan(
      `process ${items[0]!.origin.baseTopic}`,
      {
        kind: SpanKind.CONSUMER,
        links: spans.map(({ span }) => ({ context: span.spanContext() })),
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': items[0]!.origin.topic,
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': groupId,
          'messaging.batch.message_count': items.length,
          'messaging.destination.partition.id': String(items[0]!.origin.partition),
        },
      },
      ROOT_CONTEXT,
    );
    ctx = trace.setSpan(ROOT_CONTEXT, chunk);
  }
  let failure: unknown;
  try {
    return await context.with(ctx, fn);
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    for (const { span } of spans) endSpan(span, failure);
    if (chunk) endSpan(chunk, failure);
  }
}
