import { z } from 'zod';
import { pageOf } from './page';

/** audit's query API over HTTP (`/v1/audit`): the answers its OpenAPI description names. */
export const AuditRecord = z
  .object({
    /** The hash chain (one per Kafka partition of the audited topics) and the record's place in it. */
    chainId: z.string(),
    sequence: z.number().int().min(0),
    eventId: z.string().uuid(),
    type: z.string(),
    source: z.string(),
    tenantId: z.string(),
    agentId: z.string().nullable(),
    correlationId: z.string().nullable(),
    causationId: z.string().nullable(),
    topic: z.string(),
    kafkaPartition: z.number().int().min(0),
    kafkaOffset: z.string(),
    eventTime: z.string(),
    actorKind: z.enum(['agent', 'human', 'breaker', 'system']),
    actorId: z.string(),
    action: z.string().nullable(),
    verdict: z.string().nullable(),
    decidedBy: z.string().nullable(),
    /** The event's data, personal data pseudonymised (`subjects` lists the data subjects). */
    payload: z.unknown(),
    subjects: z.array(z.string()),
    prevHash: z.string(),
    hash: z.string(),
    recordedAt: z.string(),
  })
  .meta({ id: 'AuditRecord' });

/** A page of records, oldest first. */
export const AuditRecordPage = pageOf('records', AuditRecord)
  .extend({
    /** @deprecated the list shape's member is `next` (the same cursor), kept for one release */
    nextCursor: z.string().nullable().describe('deprecated: the same cursor as `next`'),
  })
  .meta({ id: 'AuditRecordPage' });

export const AuditRecordCount = z
  .object({ records: z.number().int().min(0) })
  .meta({ id: 'AuditRecordCount' });
