import { ChainHead, GENESIS_HASH, SignedCheckpoint } from '@agentops/audit-chain';
import { SubjectKeyStore } from '../privacy/subject-key-store';
import { RECORD_COLUMNS, StoredRecord } from '../records/record-content';
import { Sql, TransactionalSql } from './sql';

/** A data subject whose key a batch needs (see {@link SubjectKeyStore.load}). */
export interface WantedSubjectKey {
  tenantId: string;
  subject: string;
}

/** Where a chain's checkpointing stands: the last checkpointed sequence and its age by the database's clock. */
export interface CheckpointState {
  checkpointSequence: number;
  ageSeconds: number;
}

/**
 * What one append transaction may do, in the order the appender does it. Every call runs in the
 * transaction that {@link ChainAppendRepository.transaction} opened, after `lockHead` took the
 * chain head's row lock.
 */
export interface ChainTransaction {
  /** Creates the chain's head at genesis when missing, then locks it (`FOR UPDATE`) and reads it. */
  lockHead(chainId: string): Promise<ChainHead>;
  /** The ids among `eventIds` that already have a record (in any chain). */
  recordedEventIds(eventIds: string[]): Promise<string[]>;
  /** The subjects' keys, created when missing; null = erased or unusable. */
  subjectKeys(wanted: WantedSubjectKey[]): Promise<Map<string, Buffer | null>>;
  /** Stores the records and their index rows (one per event id). */
  insertRecords(records: StoredRecord[]): Promise<void>;
  /** Moves the chain head to its new last record. */
  advanceHead(head: ChainHead): Promise<void>;
  checkpointState(chainId: string): Promise<CheckpointState>;
  /** Stores a signed checkpoint and marks the head checkpointed at its sequence, now. */
  saveCheckpoint(checkpoint: SignedCheckpoint, publicKeyPem: string): Promise<void>;
  /** The stored records of these event ids, ordered by chain and sequence. */
  recordsByEventIds(eventIds: string[]): Promise<StoredRecord[]>;
}

/** The write side of the audit chains: the port the append use case stores through. */
export interface ChainAppendRepository {
  transaction<T>(work: (tx: ChainTransaction) => Promise<T>): Promise<T>;
  /** Chains that grew since their last checkpoint, which is older than `everySeconds`. */
  chainsDueForCheckpoint(everySeconds: number): Promise<string[]>;
  /** Creates the records' monthly partitions up to `monthsAhead` from now, where missing. */
  extendRecordPartitions(monthsAhead: number): Promise<void>;
}

const RECORD_SET = `chain_id text, sequence bigint, event_id uuid, type text, source text, tenant_id text, agent_id text,
  correlation_id uuid, causation_id uuid, topic text, kafka_partition int, kafka_offset bigint, event_time text,
  event_ts timestamptz, actor_kind text, actor_id text, action text, verdict text, decided_by text, payload jsonb,
  sealed jsonb, subjects text[], prev_hash text, hash text, recorded_at timestamptz`;

/**
 * The only place that speaks SQL about appending to the chains (audit.chain_heads, record_index,
 * records, checkpoints; the subject keys through {@link SubjectKeyStore} in the same transaction).
 */
export class PostgresChainAppendRepository implements ChainAppendRepository {
  constructor(
    private readonly sql: TransactionalSql,
    private readonly keys: SubjectKeyStore,
  ) {}

  transaction<T>(work: (tx: ChainTransaction) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(new PostgresChainTransaction(tx, this.keys)));
  }

  async chainsDueForCheckpoint(everySeconds: number): Promise<string[]> {
    const due = await this.sql.query<{ chain_id: string }>(
      `SELECT chain_id FROM chain_heads WHERE sequence > checkpoint_sequence AND checkpoint_at < now() - make_interval(secs => $1)`,
      [everySeconds],
    );
    return due.map((d) => d.chain_id);
  }

  async extendRecordPartitions(monthsAhead: number): Promise<void> {
    // A SECURITY DEFINER function the writer role may call.
    await this.sql.query(`SELECT ensure_record_partitions($1)`, [monthsAhead]);
  }
}

class PostgresChainTransaction implements ChainTransaction {
  constructor(
    private readonly tx: Sql,
    private readonly keys: SubjectKeyStore,
  ) {}

  async lockHead(chainId: string): Promise<ChainHead> {
    await this.tx.query(
      `INSERT INTO chain_heads (chain_id, sequence, hash) VALUES ($1, -1, $2) ON CONFLICT (chain_id) DO NOTHING`,
      [chainId, GENESIS_HASH],
    );
    const [row] = await this.tx.query<{ sequence: string; hash: string }>(
      `SELECT sequence, hash FROM chain_heads WHERE chain_id = $1 FOR UPDATE`,
      [chainId],
    );
    return { chainId, sequence: Number(row.sequence), hash: row.hash };
  }

  async recordedEventIds(eventIds: string[]): Promise<string[]> {
    const rows = await this.tx.query<{ event_id: string }>(
      `SELECT event_id FROM record_index WHERE event_id = ANY($1::uuid[])`,
      [eventIds],
    );
    return rows.map((r) => r.event_id);
  }

  subjectKeys(wanted: WantedSubjectKey[]): Promise<Map<string, Buffer | null>> {
    return this.keys.load(this.tx, wanted);
  }

  async insertRecords(records: StoredRecord[]): Promise<void> {
    await this.tx.query(
      `INSERT INTO record_index (event_id, chain_id, sequence, recorded_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[])`,
      [
        records.map((r) => r.eventId),
        records.map((r) => r.chainId),
        records.map((r) => r.sequence),
        records.map((r) => r.recordedAt),
      ],
    );
    const rows = records.map((r) => ({
      chain_id: r.chainId,
      sequence: r.sequence,
      event_id: r.eventId,
      type: r.type,
      source: r.source,
      tenant_id: r.tenantId,
      agent_id: r.agentId,
      correlation_id: r.correlationId,
      causation_id: r.causationId,
      topic: r.topic,
      kafka_partition: r.kafkaPartition,
      kafka_offset: r.kafkaOffset,
      event_time: r.eventTime,
      event_ts: r.eventTime,
      actor_kind: r.actorKind,
      actor_id: r.actorId,
      action: r.action,
      verdict: r.verdict,
      decided_by: r.decidedBy,
      payload: r.payload,
      sealed: r.sealed,
      subjects: r.subjects,
      prev_hash: r.prevHash,
      hash: r.hash,
      recorded_at: r.recordedAt,
    }));
    await this.tx.query(
      `INSERT INTO records SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_SET})`,
      [JSON.stringify(rows)],
    );
  }

  async advanceHead(head: ChainHead): Promise<void> {
    await this.tx.query(
      `UPDATE chain_heads SET sequence = $2, hash = $3, updated_at = now() WHERE chain_id = $1`,
      [head.chainId, head.sequence, head.hash],
    );
  }

  async checkpointState(chainId: string): Promise<CheckpointState> {
    const [state] = await this.tx.query<{ checkpoint_sequence: string; age_s: number }>(
      `SELECT checkpoint_sequence, extract(epoch FROM now() - checkpoint_at)::float8 AS age_s FROM chain_heads WHERE chain_id = $1`,
      [chainId],
    );
    return { checkpointSequence: Number(state.checkpoint_sequence), ageSeconds: state.age_s };
  }

  async saveCheckpoint(cp: SignedCheckpoint, publicKeyPem: string): Promise<void> {
    await this.tx.query(
      `INSERT INTO checkpoints (chain_id, sequence, head_hash, signed_at, key_id, algorithm, signature, public_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [cp.chainId, cp.sequence, cp.headHash, cp.signedAt, cp.keyId, cp.algorithm, cp.signature, publicKeyPem],
    );
    await this.tx.query(
      `UPDATE chain_heads SET checkpoint_sequence = $2, checkpoint_at = now() WHERE chain_id = $1`,
      [cp.chainId, cp.sequence],
    );
  }

  recordsByEventIds(eventIds: string[]): Promise<StoredRecord[]> {
    return this.tx.query<StoredRecord>(
      `SELECT ${RECORD_COLUMNS} FROM records
      WHERE (chain_id, sequence, recorded_at) IN (SELECT chain_id, sequence, recorded_at FROM record_index WHERE event_id = ANY($1::uuid[]))
      ORDER BY chain_id, sequence`,
      [eventIds],
    );
  }
}
