import { treatPayload } from '@agentops/privacy';
import { GenAiSummary, normalizeEvents, normalizeGenAiAttributes } from './genai-conventions';
import { Attributes, OtlpSpan } from './otlp-spans';

/** The attribute an agent puts on its spans to name the intent they led to (or the SDK sets). */
export const INTENT_ID_ATTRIBUTE = 'agentops.intent.id';

/** A span as it is stored: GenAI names pinned, content dropped unless captured, PII redacted. */
export interface IntakeSpan extends Omit<OtlpSpan, 'attributes' | 'events' | 'resource'> {
  attributes: Attributes;
  events: OtlpSpan['events'];
  resource: Attributes;
  intentId?: string;
  genAi: GenAiSummary;
  /** Personal values replaced by `redacted:<kind>` (whole fields) or `[redacted:<kind>]` (in text). */
  redactions: number;
  contentDropped: number;
}

export interface IntakeOptions {
  /** `GENAI_CAPTURE_CONTENT`: keep prompts, completions and tool payloads (still PII-redacted). */
  captureContent: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decoded spans → what is stored: the GenAI attributes mapped onto the pinned conventions, message
 * content off by default, then every attribute, event and resource value run through the
 * platform's PII treatment (libs/privacy: by field name and by the detectors), replaced by its data
 * class — nothing personal is stored or shown, whichever convention or capture setting.
 */
export function toIntakeSpan(span: OtlpSpan, options: IntakeOptions): IntakeSpan {
  const normalized = normalizeGenAiAttributes(span.attributes, options.captureContent);
  const events = normalizeEvents(span.events, options.captureContent);
  const treated = treatPayload(
    { attributes: normalized.attributes, events, resource: span.resource, status: span.status.message },
    (kind) => `redacted:${kind}`,
  );
  const clean = treated.payload as {
    attributes: Attributes;
    events: OtlpSpan['events'];
    resource: Attributes;
    status?: string;
  };
  const intent = span.attributes[INTENT_ID_ATTRIBUTE];
  return {
    ...span,
    attributes: clean.attributes,
    events: clean.events,
    resource: clean.resource,
    status: { code: span.status.code, message: clean.status },
    intentId: typeof intent === 'string' && UUID.test(intent) ? intent.toLowerCase() : undefined,
    genAi: normalized.genAi,
    redactions: treated.found.length,
    contentDropped: normalized.contentDropped,
  };
}
