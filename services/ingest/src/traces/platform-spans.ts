import { createHash } from 'node:crypto';
import { EscalationOpenedV1, EventEnvelope, ExportedSpan, IntentDecidedV1 } from '@agentops/contracts';
import { Attributes, OtlpSpan } from '@agentops/genai';
import { kindOfField } from '@agentops/privacy';

/**
 * The platform's steps as spans of the intent's trace, for the trace store's waterfall. Pure.
 *
 * - `fromExportedSpan`: the services' own OpenTelemetry spans, as they arrive on `agentops.spans.v1`.
 * - `decisionSpan`, `escalationSpan`: a summary of each decision (policy, human, kill switch,
 *   timeout) and each review opened, made from the events ingest consumes — the verdict, the
 *   policies and their reasons in one row, also when the deciding service exports no spans. Each is
 *   a child of the event's send span (the context its `traceparent` names), with an id of its own
 *   drawn from the event id, so it never takes the place of the service's real span.
 */
export function decisionSpan(event: EventEnvelope<IntentDecidedV1>): OtlpSpan | null {
  const ctx = contextOf(event.traceparent);
  if (!ctx) return null;
  const d = event.data;
  const end = nanosOf(d.decidedAt);
  // An intent's id is its event's UUIDv7: its first 48 bits are when it was proposed.
  const proposed = uuidV7Millis(d.intentId);
  const start =
    proposed !== null && BigInt(proposed) * 1_000_000n <= end ? BigInt(proposed) * 1_000_000n : end;
  return {
    traceId: ctx.traceId,
    spanId: summarySpanId(event.id),
    parentSpanId: ctx.spanId,
    name: `decision ${d.verdict} (${d.decidedBy})`,
    kind: 'internal',
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: end.toString(),
    attributes: {
      'agentops.intent.id': d.intentId,
      'agentops.agent.id': d.agentId,
      'agentops.action': d.action,
      'agentops.decision.verdict': d.verdict,
      'agentops.decision.decided_by': d.decidedBy,
      'agentops.decision.source': d.decisionSource ?? null,
      'agentops.decision.policy_set.baseline': d.policySetVersions?.baseline ?? null,
      'agentops.decision.policy_set.tenant': d.policySetVersions?.tenant ?? null,
      'agentops.decision.policy_ids': [...new Set(d.reasons.map((r) => r.policyId))],
      'agentops.decision.reasons': d.reasons.map((r) => `${r.policyId}: ${r.message}`),
    },
    events: [],
    status: {
      code: d.verdict === 'deny' ? 'error' : 'ok',
      message: d.verdict === 'deny' ? 'denied' : undefined,
    },
    resource: { 'service.name': serviceOf(event.source) },
    scope: { name: 'agentops.platform' },
  };
}

export function escalationSpan(event: EventEnvelope<EscalationOpenedV1>): OtlpSpan | null {
  const ctx = contextOf(event.traceparent);
  if (!ctx) return null;
  const d = event.data;
  const at = nanosOf(d.openedAt).toString();
  return {
    traceId: ctx.traceId,
    spanId: summarySpanId(event.id),
    parentSpanId: ctx.spanId,
    name: `review opened (${d.route})`,
    kind: 'internal',
    startTimeUnixNano: at,
    endTimeUnixNano: at,
    attributes: {
      'agentops.intent.id': d.intentId,
      'agentops.agent.id': d.agentId,
      'agentops.escalation.task_id': d.taskId,
      'agentops.escalation.route': d.route,
      'agentops.escalation.sla_due_at': d.slaDueAt ?? null,
      'agentops.decision.policy_ids': [...new Set(d.reasons.map((r) => r.policyId))],
    },
    events: [],
    status: { code: 'unset' },
    resource: { 'service.name': serviceOf(event.source) },
    scope: { name: 'agentops.platform' },
  };
}

/**
 * A service's span as the store's intake takes it (the same redaction as agents' spans follows);
 * its service becomes the resource's `service.name`.
 */
export function fromExportedSpan(span: ExportedSpan): OtlpSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: span.startTimeUnixNano,
    endTimeUnixNano: span.endTimeUnixNano,
    attributes: {
      ...span.attributes,
      ...(span.links.length ? { 'agentops.links': span.links.map((l) => `${l.traceId}-${l.spanId}`) } : {}),
    },
    events: [],
    status: span.status,
    resource: { 'service.name': span.service },
    scope: { name: span.scope },
  };
}

/**
 * Attributes the platform's own code sets from ids, names and enums: the messaging and CloudEvents
 * ones of each hop (`libs/messaging` message-spans), the decision's verdict and policies, the HTTP
 * route and status, the waterfall's step marks. None is free text, so none goes through the PII
 * detectors — a third of the intake's CPU per span, for values that are topics, UUIDs and agent ids.
 * Not here, so always treated: reasons, subjects, URLs and queries, addresses, user agents, and
 * any key this list does not name.
 */
const ID_ATTRIBUTES = new Set([
  'messaging.system',
  'messaging.destination.name',
  'messaging.destination.partition.id',
  'messaging.message.id',
  'messaging.operation.type',
  'messaging.operation.name',
  'messaging.consumer.group.name',
  'messaging.kafka.offset',
  'messaging.kafka.message.key',
  'messaging.batch.message_count',
  'cloudevents.event_id',
  'cloudevents.event_type',
  'cloudevents.event_source',
  'agentops.tenant_id',
  'agentops.agent_id',
  'agentops.agent.id',
  'agentops.intent_id',
  'agentops.action',
  'agentops.decision.verdict',
  'agentops.decision.decided_by',
  'agentops.decision.source',
  'agentops.decision.policy_set.baseline',
  'agentops.decision.policy_set.tenant',
  'agentops.decision.policy_ids',
  'agentops.waterfall.step',
  'agentops.links',
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'server.port',
  'network.peer.port',
  'network.protocol.version',
]);

/**
 * What an id may look like to skip the detectors: a UUID, or a token of id characters with no run
 * of seven digits (a phone or card number) and no `@` or space (an email, a name). Anything else
 * under one of those keys is treated like free text after all.
 */
const ID_VALUE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?!.*\d{7})[A-Za-z0-9._:/-]{0,256})$/i;

function isIdValue(value: Attributes[string]): boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  if (typeof value === 'string') return ID_VALUE.test(value);
  return (
    Array.isArray(value) &&
    value.length <= 128 &&
    value.every((v) => typeof v === 'string' && ID_VALUE.test(v))
  );
}

/**
 * A platform span's attributes split into the ids above (stored as they are) and the rest (for the
 * PII treatment). A key whose name says it holds personal data is never an id, whatever the list.
 */
export function splitIdAttributes(attributes: Attributes): { ids: Attributes; rest: Attributes } {
  const ids: Attributes = {};
  const rest: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (ID_ATTRIBUTES.has(key) && isIdValue(value) && kindOfField(key) === undefined) ids[key] = value;
    else rest[key] = value;
  }
  return { ids, rest };
}

/** The tenant a span names (Kafka spans carry the event's), if any. */
export function tenantOfSpan(span: ExportedSpan): string | undefined {
  const tenant = span.attributes['agentops.tenant_id'];
  return typeof tenant === 'string' && tenant ? tenant : undefined;
}

/** 8 bytes of the event id's hash: stable across redeliveries, never a real span's id. */
function summarySpanId(eventId: string): string {
  return createHash('sha256').update(`agentops.summary:${eventId}`).digest('hex').slice(0, 16);
}

function contextOf(traceparent: string | undefined): { traceId: string; spanId: string } | null {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(traceparent ?? '');
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return null;
  return { traceId: m[1]!, spanId: m[2]! };
}

function nanosOf(iso: string): bigint {
  return BigInt(Date.parse(iso)) * 1_000_000n;
}

export function uuidV7Millis(id: string): number | null {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return null;
  return parseInt(hex.slice(0, 12), 16);
}

/** `agentops/guardrail` → `guardrail`. */
function serviceOf(source: string): string {
  return source.replace(/^agentops\//, '');
}
