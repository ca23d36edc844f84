import {
  ChainHead,
  GENESIS_HASH,
  SignedCheckpoint,
  SigningKey,
  recordHash,
  signCheckpoint,
} from '@agentops/audit-chain';
import { EventEnvelope } from '@agentops/contracts';
import { FoundPii } from '@agentops/privacy';
import { auditablePayload } from '../privacy/auditable-payload';
import { PayloadPrivacy } from '../privacy/payload-privacy';
import { SubjectKeyStore } from '../privacy/subject-key-store';
import { actorOf } from '../records/actor';
import { RECORD_COLUMNS, StoredRecord, hashedBody } from '../records/record-content';
import { Sql, TransactionalSql } from './sql';

/** Where an event was read: its chain is `<base topic>:<partition>`. */
export interface EventOrigin {
  baseTopic: string;
  partition: number;
  offset: string;
}

export interface AppendItem {
  event: EventEnvelope;
  origin: EventOrigin;
}

export interface AppendResult {
  appended: StoredRecord[];
  /** Events already recorded (replay, redelivery): stored earlier, returned for re-publication. */
  duplicates: StoredRecord[];
  checkpoints: SignedCheckpoint[];
}

export interface CheckpointPolicy {
  everyRecords: number;
  everySeconds: number;
}

export function chainIdOf(origin: Pick<EventOrigin, 'baseTopic' | 'partition'>): string {
  return `${origin.baseTopic}:${origin.partition}`;
}

const RECORD_SET = `chain_id text, sequence bigint, event_id uuid, type text, source text, tenant_id text, agent_id text,
  correlation_id uuid, causation_id uuid, topic text, kafka_partition int, kafka_offset bigint, event_time text,
  event_ts timestamptz, actor_kind text, actor_id text, action text, verdict text, decided_by text, payload jsonb,
  sealed jsonb, subjects text[], prev_hash text, hash text, recorded_at timestamptz`;

/**
 * The append use case: a batch of events from one source partition becomes consecutive records of
 * that partition's chain, in one transaction that holds the chain head's row lock (the consumer
 * group already gives one writer per chain; the lock makes a second one wait, not fork the chain).
 * Exactly one record per event id: ids already in record_index are skipped.
 */
export class AuditAppender {
  constructor(
    private readonly sql: TransactionalSql,
    private readonly privacy: PayloadPrivacy,
    private readonly keys: SubjectKeyStore,
    private readonly signingKey: SigningKey,
    private readonly checkpoints: CheckpointPolicy,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async appendBatch(chainId: string, items: AppendItem[]): Promise<AppendResult> {
    return this.sql.transaction(async (tx) => {
      const head = await lockHead(tx, chainId);
      const ids = items.map((i) => i.event.id);
      const seen = new Set(
        (
          await tx.query<{ event_id: string }>(
            `SELECT event_id FROM record_index WHERE event_id = ANY($1::uuid[])`,
            [ids],
          )
        ).map((r) => r.event_id),
      );
      const duplicateIds = [...seen];
      const fresh: AppendItem[] = [];
      for (const item of items) {
        if (seen.has(item.event.id)) continue;
        seen.add(item.event.id); // the same event twice in one batch
        fresh.push(item);
      }

      let appended: StoredRecord[] = [];
      let newHead = head;
      if (fresh.length) {
        const scans = fresh.map((i) => {
          const payload = this.privacy.scan(i.event.tenantid, auditablePayload(i.event));
          // Actors are ids, but a human's may be an email: treated like payload text, own subject.
          const actor = actorOf(i.event);
          const actorScan = this.privacy.scan(i.event.tenantid, actor.id);
          const fromActor = new Set(actorScan.found);
          return {
            item: i,
            payload: payload.payload,
            actor: { kind: actor.kind, id: actorScan.payload as string },
            found: [...payload.found, ...actorScan.found],
            subjectOf: (f: FoundPii) => (fromActor.has(f) ? actorScan.subjectOf(f) : payload.subjectOf(f)),
          };
        });
        const keys = await this.keys.load(
          tx,
          scans.flatMap((s) =>
            s.found.map((f: FoundPii) => ({ tenantId: s.item.event.tenantid, subject: s.subjectOf(f) })),
          ),
        );
        const recordedAt = this.now().toISOString();
        const contents = scans.map((s) => {
          const { event, origin } = s.item;
          const data = (event.data ?? {}) as Record<string, unknown>;
          const actor = s.actor;
          const sealed = PayloadPrivacy.seal(event.tenantid, event.id, s.found, s.subjectOf, keys);
          return {
            eventId: event.id,
            type: event.type,
            source: event.source,
            tenantId: event.tenantid,
            agentId: event.agentid ?? null,
            correlationId: event.correlationid ?? null,
            causationId: event.causationid ?? null,
            topic: origin.baseTopic,
            kafkaPartition: origin.partition,
            kafkaOffset: origin.offset,
            eventTime: event.time,
            actorKind: actor.kind,
            actorId: actor.id,
            action: typeof data['action'] === 'string' ? data['action'] : null,
            verdict: typeof data['verdict'] === 'string' ? data['verdict'] : null,
            decidedBy: typeof data['decidedBy'] === 'string' ? data['decidedBy'] : null,
            payload: s.payload ?? null,
            sealed: sealed.sealed,
            subjects: sealed.subjects,
            recordedAt,
          };
        });
        // The hash covers exactly what verification rebuilds from the row: hashedBody().
        let sequence = head.sequence;
        let prevHash = head.hash;
        appended = contents.map((c) => {
          sequence += 1;
          const partial = { ...c, chainId, sequence, prevHash };
          prevHash = recordHash(hashedBody(partial));
          return { ...partial, hash: prevHash };
        });
        newHead = { chainId, sequence, hash: prevHash };
        await insertRecords(tx, appended);
        await tx.query(
          `UPDATE chain_heads SET sequence = $2, hash = $3, updated_at = now() WHERE chain_id = $1`,
          [chainId, newHead.sequence, newHead.hash],
        );
      }

      const checkpoints: SignedCheckpoint[] = [];
      const cp = await this.maybeCheckpoint(tx, newHead, false);
      if (cp) checkpoints.push(cp);
      const duplicates = duplicateIds.length ? await recordsByEventIds(tx, duplicateIds) : [];
      return { appended, duplicates, checkpoints };
    });
  }

  /** Time-based checkpoints for chains that grew but went quiet. */
  async checkpointIdleChains(): Promise<SignedCheckpoint[]> {
    const due = await this.sql.query<{ chain_id: string }>(
      `SELECT chain_id FROM chain_heads WHERE sequence > checkpoint_sequence AND checkpoint_at < now() - make_interval(secs => $1)`,
      [this.checkpoints.everySeconds],
    );
    const out: SignedCheckpoint[] = [];
    for (const { chain_id } of due) {
      const cp = await this.sql.transaction(async (tx) =>
        this.maybeCheckpoint(tx, await lockHead(tx, chain_id), true),
      );
      if (cp) out.push(cp);
    }
    return out;
  }

  private async maybeCheckpoint(
    tx: Sql,
    head: ChainHead,
    timeDue: boolean,
  ): Promise<SignedCheckpoint | undefined> {
    if (head.sequence < 0) return undefined;
    const [state] = await tx.query<{ checkpoint_sequence: string; age_s: number }>(
      `SELECT checkpoint_sequence, extract(epoch FROM now() - checkpoint_at)::float8 AS age_s FROM chain_heads WHERE chain_id = $1`,
      [head.chainId],
    );
    const since = head.sequence - Number(state.checkpoint_sequence);
    if (since <= 0) return undefined;
    if (since < this.checkpoints.everyRecords && !(timeDue || state.age_s >= this.checkpoints.everySeconds))
      return undefined;
    const cp = signCheckpoint(this.signingKey, {
      chainId: head.chainId,
      sequence: head.sequence,
      headHash: head.hash,
      signedAt: this.now().toISOString(),
    });
    await tx.query(
      `INSERT INTO checkpoints (chain_id, sequence, head_hash, signed_at, key_id, algorithm, signature, public_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        cp.chainId,
        cp.sequence,
        cp.headHash,
        cp.signedAt,
        cp.keyId,
        cp.algorithm,
        cp.signature,
        this.signingKey.publicKeyPem,
      ],
    );
    await tx.query(
      `UPDATE chain_heads SET checkpoint_sequence = $2, checkpoint_at = now() WHERE chain_id = $1`,
      [head.chainId, head.sequence],
    );
    return cp;
  }
}

async function lockHead(tx: Sql, chainId: string): Promise<ChainHead> {
  await tx.query(
    `INSERT INTO chain_heads (chain_id, sequence, hash) VALUES ($1, -1, $2) ON CONFLICT (chain_id) DO NOTHING`,
    [chainId, GENESIS_HASH],
  );
  const [row] = await tx.query<{ sequence: string; hash: string }>(
    `SELECT sequence, hash FROM chain_heads WHERE chain_id = $1 FOR UPDATE`,
    [chainId],
  );
  return { chainId, sequence: Number(row.sequence), hash: row.hash };
}

async function insertRecords(tx: Sql, records: StoredRecord[]): Promise<void> {
  await tx.query(
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
  await tx.query(`INSERT INTO records SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_SET})`, [
    JSON.stringify(rows),
  ]);
}

export async function recordsByEventIds(sql: Sql, eventIds: string[]): Promise<StoredRecord[]> {
  return sql.query<StoredRecord>(
    `SELECT ${RECORD_COLUMNS} FROM records
      WHERE (chain_id, sequence, recorded_at) IN (SELECT chain_id, sequence, recorded_at FROM record_index WHERE event_id = ANY($1::uuid[]))
      ORDER BY chain_id, sequence`,
    [eventIds],
  );
}
