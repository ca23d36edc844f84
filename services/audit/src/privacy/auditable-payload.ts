import { EventEnvelope, EventTypes } from '@agentops/contracts';

/**
 * What of an event's data goes through privacy treatment. A dead letter carries the rejected
 * message base64-encoded, where no detector could see a personal value: its bytes are decoded
 * (when they are UTF-8 text, JSON or not) so the treatment reaches them, and the base64 is dropped.
 * Binary bodies are kept out of the record altogether (only their size is), as they cannot be treated.
 */
export function auditablePayload(event: EventEnvelope): unknown {
  if (event.type !== EventTypes.MessageDeadLettered) return event.data;
  const data = { ...(event.data as Record<string, unknown>) };
  const b64 = data['originalValueBase64'];
  delete data['originalValueBase64'];
  if (typeof b64 !== 'string') return { ...data, originalValue: null };
  const bytes = Buffer.from(b64, 'base64');
  const text = bytes.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(bytes)) {
    try {
      return { ...data, originalValue: JSON.parse(text) as unknown };
    } catch {
      return { ...data, originalText: text };
    }
  }
  return { ...data, originalValue: null, originalBinaryBytes: bytes.length };
}
