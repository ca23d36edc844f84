import { ChainedBody } from '@agentops/audit-chain';

/**
 * One audit record as stored (a row of audit.records, columns in camelCase). `hashedBody` is the
 * single definition of what the record hash covers, used when appending and when verifying, so
 * both sides always agree.
 */
export interface StoredRecord {
  chainId: string;
  sequence: number;
  eventId: string;
  type: string;
  source: string;
  tenantId: string;
  agentId: string | null;
  correlationId: string | null;
  causationId: string | null;
  topic: string;
  kafkaPartition: number;
  kafkaOffset: string;
  eventTime: string;
  actorKind: 'agent' | 'human' | 'breaker' | 'system';
  actorId: string;
  action: string | null;
  verdict: string | null;
  decidedBy: string | null;
  payload: unknown;
  /** subject → its clear values `{pseudonym: value}`, sealed (AES-256-GCM) under the subject's key. */
  sealed: Record<string, SealedValue>;
  subjects: string[];
  prevHash: string;
  hash: string;
  recordedAt: string;
}

export interface SealedValue {
  /** The pseudonyms whose clear values the box holds. */
  pseudonyms: string[];
  /** `v1.<iv>.<ct>.<tag>`; null when the subject was already erased when the event arrived. */
  value: string | null;
}

export function hashedBody(r: Omit<StoredRecord, 'hash'>): ChainedBody {
  // Members listed in RFC 8785 order (UTF-16 code units), here and in the nested objects built
  // here: the canonicaliser then serialises them as they are instead of copying them sorted.
  return {
    actor: { id: r.actorId, kind: r.actorKind },
    chainId: r.chainId,
    event: {
      agentId: r.agentId,
      causationId: r.causationId,
      correlationId: r.correlationId,
      id: r.eventId,
      offset: r.kafkaOffset,
      partition: r.kafkaPartition,
      source: r.source,
      tenantId: r.tenantId,
      time: r.eventTime,
      topic: r.topic,
      type: r.type,
    },
    facets: { action: r.action, decidedBy: r.decidedBy, verdict: r.verdict },
    payload: r.payload,
    prevHash: r.prevHash,
    recordId: r.eventId,
    recordedAt: r.recordedAt,
    sealed: r.sealed,
    sequence: r.sequence,
    subjects: r.subjects,
  };
}

/** Columns selected as StoredRecord (pg returns bigint as text; the sequence is made a number). */
export const RECORD_COLUMNS = `chain_id AS "chainId", sequence::float8 AS "sequence", event_id AS "eventId", type, source,
  tenant_id AS "tenantId", agent_id AS "agentId", correlation_id AS "correlationId", causation_id AS "causationId", topic,
  kafka_partition AS "kafkaPartition", kafka_offset::text AS "kafkaOffset", event_time AS "eventTime",
  actor_kind AS "actorKind", actor_id AS "actorId", action, verdict, decided_by AS "decidedBy", payload, sealed, subjects,
  prev_hash AS "prevHash", hash, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "recordedAt"`;
