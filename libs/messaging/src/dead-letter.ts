import { createHash } from 'node:crypto';
import { EventTypes, MessageDeadLetteredV1, Topics, topicName } from '@agentops/contracts';
import { encodeEvent } from './codec';
import { createEvent } from './envelope-factory';
import type { MessageOrigin } from './message-origin';
import type { EventPublisher, RawMessage } from './event-publisher';

export interface RejectedMessage {
  /** Physical topic, partition and offset it was read from, and its key. */
  origin: MessageDeadLetteredV1['origin'];
  headers: Record<string, string>;
  value: Buffer | null;
  reason: MessageDeadLetteredV1['reason'];
  error: string;
}

/**
 * The most of an original value a DLQ record keeps. Every copy of it must stay under the broker's
 * 1 MiB message limit: the DLQ record (base64, a third larger) and audit's record of that record
 * (re-published for BI). A refused 768 KB message once made a DLQ record the broker refused,
 * which crashed its consumer on the same message again and again, and a 256 KiB copy still made
 * an audit record too large, crashing audit's consumer (both found by the DLQ fuzz suite). A
 * longer original keeps its first bytes, its size and its hash.
 */
export const MAX_KEPT_ORIGINAL_BYTES = 64 * 1024;

/**
 * The DLQ record for a message a consumer refuses: the original kept whole (value and headers) so
 * it can be inspected and replayed, keyed by the original key as ARCHITECTURE.md says.
 */
export function deadLetterMessage(rejected: RejectedMessage, source: string): RawMessage {
  const { origin, headers, value, reason, error } = rejected;
  const truncated = value !== null && value.length > MAX_KEPT_ORIGINAL_BYTES;
  const kept = truncated ? value.subarray(0, MAX_KEPT_ORIGINAL_BYTES) : value;
  const event = createEvent(
    EventTypes.MessageDeadLettered,
    {
      reason,
      error: error.slice(0, 8000),
      origin,
      originalValueBase64: kept ? kept.toString('base64') : null,
      ...(truncated
        ? {
            originalTruncated: {
              bytes: value.length,
              sha256: createHash('sha256').update(value).digest('hex'),
            },
          }
        : {}),
      originalHeaders: headers,
      rejectedAt: new Date().toISOString(),
    },
    { source, tenantid: headers['ce_tenantid'] || 'unknown' },
  );
  const encoded = encodeEvent(event, origin.key ?? '');
  return { key: origin.key, value: encoded.value, headers: encoded.headers };
}

/** A message a consumer refuses, where it read it. */
export interface DeadLetterRequest {
  origin: MessageOrigin;
  headers: Record<string, string>;
  value: Buffer | null;
  reason: MessageDeadLetteredV1['reason'];
  error: string;
}

/**
 * Both consumer loops' way to the DLQ: one acknowledged request for all of `requests`, before the
 * caller moves its offsets on. Nothing read from the DLQ itself is dead-lettered again (no loop).
 */
export async function publishDeadLetters(
  publisher: EventPublisher,
  topicPrefix: string,
  consumerGroup: string,
  source: string,
  requests: DeadLetterRequest[],
): Promise<void> {
  const records = requests
    .filter((r) => r.origin.baseTopic !== Topics.deadLetters.name)
    .map(({ origin: { topic, partition, offset, key }, headers, value, reason, error }) =>
      deadLetterMessage(
        { origin: { topic, partition, offset, key, consumerGroup }, headers, value, reason, error },
        source,
      ),
    );
  if (records.length) await publisher.publishRaw(topicName(Topics.deadLetters, topicPrefix), records);
}
