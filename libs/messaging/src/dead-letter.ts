import { EventTypes, MessageDeadLetteredV1 } from '@agentops/contracts';
import { encodeEvent } from './codec';
import { createEvent } from './envelope-factory';
import { RawMessage } from './event-publisher';

export interface RejectedMessage {
  /** Physical topic, partition and offset it was read from, and its key. */
  origin: MessageDeadLetteredV1['origin'];
  headers: Record<string, string>;
  value: Buffer | null;
  reason: MessageDeadLetteredV1['reason'];
  error: string;
}

/**
 * The DLQ record for a message a consumer refuses: the original kept whole (value and headers) so
 * it can be inspected and replayed, keyed by the original key as ARCHITECTURE.md says.
 */
export function deadLetterMessage(rejected: RejectedMessage, source: string): RawMessage {
  const { origin, headers, value, reason, error } = rejected;
  const event = createEvent(
    EventTypes.MessageDeadLettered,
    {
      reason,
      error: error.slice(0, 8000),
      origin,
      originalValueBase64: value ? value.toString('base64') : null,
      originalHeaders: headers,
      rejectedAt: new Date().toISOString(),
    },
    { source, tenantid: headers['ce_tenantid'] || 'unknown' },
  );
  const encoded = encodeEvent(event, origin.key ?? '');
  return { key: origin.key, value: encoded.value, headers: encoded.headers };
}
