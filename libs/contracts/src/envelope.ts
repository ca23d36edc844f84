import { z } from 'zod';

/**
 * CloudEvents 1.0 in Kafka binary mode: attributes travel as `ce_*` headers, the body is the
 * event's `data` as JSON. These are the header names, in one place.
 */
export const CloudEventHeaders = {
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  specversion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  tenantid: 'ce_tenantid',
  agentid: 'ce_agentid',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  traceparent: 'traceparent',
  contentType: 'content-type',
} as const;

const uuid = z.string().uuid();

/** The envelope attributes every event carries, whatever its type. */
export const EnvelopeAttributes = z.object({
  id: uuid,
  source: z.string().min(1).max(200),
  type: z.string().regex(/^agentops\.[a-z_.]+\.v\d+$/, 'must be a versioned agentops event type'),
  specversion: z.literal('1.0'),
  time: z.string().datetime({ offset: true }),
  subject: z.string().max(200).optional(),
  tenantid: z.string().min(1).max(100),
  agentid: z.string().max(100).optional(),
  correlationid: uuid.optional(),
  causationid: uuid.optional(),
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent')
    .optional(),
});
export type EnvelopeAttributes = z.infer<typeof EnvelopeAttributes>;

export interface EventEnvelope<T = unknown> extends EnvelopeAttributes {
  data: T;
}
