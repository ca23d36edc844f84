import {
  CloudEventHeaders,
  allTopics,
  EnvelopeAttributes,
  EventDefinitions,
  EventEnvelope,
  EventTypeName,
  describeIssues,
  formatIssues,
  isKnownEventType,
  producerRefusal,
} from '@agentops/contracts';
import { PoisonMessageError } from './errors';

export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export interface EncodedMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** CloudEvents binary mode: attributes into `ce_*` headers, `data` as the JSON body. */
export function encodeEvent(event: EventEnvelope, key: string): EncodedMessage {
  const headers: Record<string, string> = { [CloudEventHeaders.contentType]: 'application/json' };
  for (const [attr, header] of Object.entries(CloudEventHeaders)) {
    if (attr === 'contentType') continue;
    const value = (event as unknown as Record<string, unknown>)[attr];
    if (value !== undefined && value !== null) headers[header] = String(value);
  }
  return { key, value: Buffer.from(JSON.stringify(event.data)), headers };
}

export function headersToStrings(
  headers: Record<string, KafkaHeaderValue> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/**
 * The largest event body a consumer parses on a topic of the broker's default size (1 MiB). Every
 * such event the platform makes is far smaller (an intent comes from an HTTP body of at most
 * 256 KB); anything between is refused before JSON.parse and the schema walk, so one message cannot
 * make every consumer of its topic spend a second on it. A topic that declares a larger
 * `maxMessageBytes` (the knowledge documents) is parsed up to that.
 */
export const MAX_EVENT_BYTES = 768 * 1024;

/** The body limit of events on `baseTopic`. */
export function eventByteLimit(baseTopic: string): number {
  return allTopics.find((t) => t.name === baseTopic)?.maxMessageBytes ?? MAX_EVENT_BYTES;
}

/**
 * Decodes and validates one Kafka message against the envelope and its type's schema. Anything
 * that fails is a poison message: the caller dead-letters it instead of retrying forever.
 */
export function decodeEvent(
  headers: Record<string, string>,
  value: Buffer | null,
  maxBytes = MAX_EVENT_BYTES,
): EventEnvelope {
  const attrs: Record<string, unknown> = {};
  for (const [attr, header] of Object.entries(CloudEventHeaders)) {
    if (attr !== 'contentType' && headers[header] !== undefined) attrs[attr] = headers[header];
  }
  const envelope = EnvelopeAttributes.safeParse(attrs);
  if (!envelope.success) {
    throw new PoisonMessageError(
      'malformed',
      `invalid CloudEvents headers: ${formatIssues(describeIssues(envelope.error))}`,
      describeIssues(envelope.error),
    );
  }
  const type = envelope.data.type;
  if (!isKnownEventType(type)) throw new PoisonMessageError('unknown_type', `unknown event type ${type}`);
  if (!value || value.length === 0) throw new PoisonMessageError('malformed', 'empty message body');
  if (value.length > maxBytes)
    throw new PoisonMessageError(
      'malformed',
      `message body of ${value.length} bytes is over the ${maxBytes}-byte limit`,
    );
  let body: unknown;
  try {
    body = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new PoisonMessageError('malformed', `body is not JSON: ${(error as Error).message}`);
  }
  const data = EventDefinitions[type as EventTypeName].schema.safeParse(body);
  if (!data.success) {
    const issues = describeIssues(data.error);
    throw new PoisonMessageError('schema_violation', `${type} data invalid: ${formatIssues(issues)}`, issues);
  }
  return { ...envelope.data, data: data.data };
}

/**
 * What every consumer reads through: a valid event whose `ce_source` may produce its type on the
 * topic it arrived on (libs/contracts KafkaAccess). Anything else is refused, to the DLQ, with
 * `unauthorized_source`: a forged decision, release or activation must never be acted on.
 */
export function decodeTrustedEvent(
  headers: Record<string, string>,
  value: Buffer | null,
  baseTopic: string,
): EventEnvelope {
  const event = decodeEvent(headers, value, eventByteLimit(baseTopic));
  const refusal = producerRefusal(event, baseTopic);
  if (refusal) throw new PoisonMessageError('unauthorized_source', refusal);
  return event;
}
