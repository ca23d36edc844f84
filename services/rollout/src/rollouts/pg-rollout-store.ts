import { EventEnvelope, RolloutTransitionedV1 } from '@agentops/contracts';
import { parseRolloutStats, serialiseRolloutStats } from '@agentops/rollout-analysis';
import { DomainError, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  PendingFact,
  ROLLOUTS_KEYSET,
  RolloutChange,
  RolloutIntentRow,
  RolloutRecord,
  RolloutStore,
  RolloutTransaction,
  UnitPathEvidence,
} from './rollout-store';

const COLUMNS = `id, tenant_id AS "tenantId", key, document, salt, status, step_index AS "stepIndex",
  step_started_at AS "stepStartedAt", weights, paused_reason AS "pausedReason", stats, generation, halts,
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

interface Row {
  id: string;
  tenantId: string;
  key: string;
  document: unknown;
  salt: string;
  status: RolloutRecord['state']['status'];
  stepIndex: number;
  stepStartedAt: Date | string;
  weights: Record<string, number>;
  pausedReason: 'srm' | 'manual' | null;
  stats: unknown;
  generation: number;
  halts: RolloutRecord['halts'];
  createdBy: string;
  createdAt: Date | string;
  updatedAt: Date | string;
}

const iso = (v: Date | string) => new Date(v).toISOString();

function toRecord(r: Row): RolloutRecord {
  return {
    id: r.id,
    tenantId: r.tenantId,
    key: r.key,
    document: r.document,
    salt: r.salt,
    state: {
      status: r.status,
      stepIndex: r.stepIndex,
      stepStartedAt: new Date(r.stepStartedAt).getTime(),
      weights: r.weights,
      ...(r.pausedReason ? { pausedReason: r.pausedReason } : {}),
    },
    // A corrupted row stops the analysis loudly instead of restarting the counts from zero.
    stats: parseRolloutStats(r.stats),
    generation: r.generation,
    halts: r.halts,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

const UNIQUE_VIOLATION = '23505';

/** Rollouts in the rollout schema; the only place that speaks SQL about them. */
@Injectable()
export class PgRolloutStore extends RolloutStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async insert(record: RolloutRecord, transition: EventEnvelope<RolloutTransitionedV1>): Promise<void> {
    try {
      await this.dataSource.transaction(async (m) => {
        const s = record.state;
        await m.query(
          `INSERT INTO rollouts (id, tenant_id, key, document, salt, status, step_index, step_started_at, weights,
             paused_reason, stats, generation, halts, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
          [
            record.id,
            record.tenantId,
            record.key,
            JSON.stringify(record.document),
            record.salt,
            s.status,
            s.stepIndex,
            new Date(s.stepStartedAt).toISOString(),
            JSON.stringify(s.weights),
            s.pausedReason ?? null,
            serialiseRolloutStats(record.stats),
            record.generation,
            JSON.stringify(record.halts),
            record.createdBy,
            record.createdAt,
            record.updatedAt,
          ],
        );
        await this.appendTransitions(m, [transition]);
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION)
        throw new DomainError(
          'conflict',
          `rollout ${record.key} is already live in tenant ${record.tenantId}`,
        );
      throw error;
    }
  }

  async find(id: string): Promise<RolloutRecord | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM rollouts WHERE id = $1`, [
      id,
    ])) as Row[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByKey(tenantId: string | undefined, key: string): Promise<RolloutRecord | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rollouts WHERE ($1::text IS NULL OR tenant_id = $1) AND key = $2
       ORDER BY created_at DESC LIMIT 1`,
      [tenantId ?? null, key],
    )) as Row[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<RolloutRecord>> {
    const after = ROLLOUTS_KEYSET.after(page);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rollouts WHERE ($1::text IS NULL OR tenant_id = $1)
         AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', created_at), id) < ($2::timestamptz, $3::uuid))
       ORDER BY date_trunc('milliseconds', created_at) DESC, id DESC LIMIT $4`,
      [tenantId ?? null, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    )) as Row[];
    return ROLLOUTS_KEYSET.page(rows.map(toRecord), page.limit, (r) => [r.createdAt, r.id]);
  }

  async live(tenantId?: string): Promise<RolloutRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rollouts WHERE status IN ('running', 'paused')
       ${tenantId === undefined ? '' : 'AND tenant_id = $1'} ORDER BY created_at`,
      tenantId === undefined ? [] : [tenantId],
    )) as Row[];
    return rows.map(toRecord);
  }

  async pendingHalts(): Promise<RolloutRecord[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rollouts
       WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(halts) h WHERE h->>'killSwitchId' IS NULL AND h->>'skipped' IS NULL)`,
    )) as Row[];
    return rows.map(toRecord);
  }

  async mutate<T>(
    id: string,
    change: (current: RolloutRecord, tx: RolloutTransaction) => Promise<RolloutChange<T>>,
  ): Promise<T | null> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(`SELECT ${COLUMNS} FROM rollouts WHERE id = $1 FOR UPDATE`, [id])) as Row[];
      if (!rows[0]) return null;
      const tx: RolloutTransaction = {
        claimEvents: async (eventIds) => {
          if (!eventIds.length) return new Set();
          const claimed = (await m.query(
            `INSERT INTO rollout_counted_events (event_id, rollout_id) SELECT e, $2 FROM unnest($1::uuid[]) AS e
             ON CONFLICT DO NOTHING RETURNING event_id AS "eventId"`,
            [eventIds, id],
          )) as { eventId: string }[];
          return new Set(claimed.map((c) => c.eventId));
        },
      };
      const out = await change(toRecord(rows[0]), tx);
      if (out.record) {
        const r = out.record;
        await m.query(
          `UPDATE rollouts SET status = $2, step_index = $3, step_started_at = $4, weights = $5, paused_reason = $6,
             stats = $7, generation = $8, halts = $9, updated_at = $10 WHERE id = $1`,
          [
            id,
            r.state.status,
            r.state.stepIndex,
            new Date(r.state.stepStartedAt).toISOString(),
            JSON.stringify(r.state.weights),
            r.state.pausedReason ?? null,
            serialiseRolloutStats(r.stats),
            r.generation,
            JSON.stringify(r.halts),
            r.updatedAt,
          ],
        );
      }
      if (out.transitions?.length) await this.appendTransitions(m, out.transitions);
      return out.result;
    });
  }

  async transitions(rolloutId: string): Promise<EventEnvelope<RolloutTransitionedV1>[]> {
    const rows = (await this.dataSource.query(
      `SELECT event FROM rollout_transitions WHERE rollout_id = $1 ORDER BY seq`,
      [rolloutId],
    )) as { event: EventEnvelope<RolloutTransitionedV1> }[];
    return rows.map((r) => r.event);
  }

  async unpublishedTransitions(): Promise<EventEnvelope<RolloutTransitionedV1>[]> {
    const rows = (await this.dataSource.query(
      `SELECT event FROM rollout_transitions WHERE published_at IS NULL ORDER BY seq LIMIT 500`,
    )) as { event: EventEnvelope<RolloutTransitionedV1> }[];
    return rows.map((r) => r.event);
  }

  async markPublished(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.dataSource.query(
      `UPDATE rollout_transitions SET published_at = now() WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL`,
      [eventIds],
    );
  }

  async recordIntents(rows: RolloutIntentRow[]): Promise<void> {
    if (!rows.length) return;
    await this.dataSource.query(
      `INSERT INTO rollout_intents (intent_id, rollout_id, arm, stratum, proposed_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        rows.map((r) => r.intentId),
        rows.map((r) => r.rolloutId),
        rows.map((r) => r.arm),
        rows.map((r) => r.stratum),
        rows.map((r) => r.proposedAt),
      ],
    );
  }

  async intentRows(intentIds: string[]): Promise<RolloutIntentRow[]> {
    if (!intentIds.length) return [];
    const rows = (await this.dataSource.query(
      `SELECT intent_id AS "intentId", rollout_id AS "rolloutId", arm, stratum, proposed_at AS "proposedAt"
       FROM rollout_intents WHERE intent_id = ANY($1::uuid[])`,
      [intentIds],
    )) as (RolloutIntentRow & { proposedAt: Date | string })[];
    return rows.map((r) => ({ ...r, proposedAt: iso(r.proposedAt) }));
  }

  async holdPendingFacts(facts: PendingFact[], receivedAt: string): Promise<void> {
    if (!facts.length) return;
    await this.dataSource.query(
      `INSERT INTO rollout_pending_facts (event_id, intent_id, event, received_at)
       SELECT e, i, v, $4 FROM unnest($1::uuid[], $2::uuid[], $3::jsonb[]) AS f (e, i, v)
       ON CONFLICT DO NOTHING`,
      [
        facts.map((f) => f.event.id),
        facts.map((f) => f.intentId),
        facts.map((f) => JSON.stringify(f.event)),
        receivedAt,
      ],
    );
  }

  async pendingFacts(intentIds: string[]): Promise<PendingFact[]> {
    if (!intentIds.length) return [];
    const rows = (await this.dataSource.query(
      `SELECT intent_id AS "intentId", event FROM rollout_pending_facts WHERE intent_id = ANY($1::uuid[])
       ORDER BY received_at`,
      [intentIds],
    )) as PendingFact[];
    return rows;
  }

  async dropPendingFacts(eventIds: string[]): Promise<void> {
    if (!eventIds.length) return;
    await this.dataSource.query(`DELETE FROM rollout_pending_facts WHERE event_id = ANY($1::uuid[])`, [
      eventIds,
    ]);
  }

  async dropPendingFactsBefore(before: string): Promise<number> {
    const out = (await this.dataSource.query(`DELETE FROM rollout_pending_facts WHERE received_at < $1`, [
      before,
    ])) as [unknown[], number];
    return Array.isArray(out) && typeof out[1] === 'number' ? out[1] : 0;
  }

  async noteUnitPaths(tenantId: string, paths: string[], at: string): Promise<void> {
    if (!paths.length) return;
    await this.dataSource.query(
      `INSERT INTO rollout_unit_paths (tenant_id, path, last_seen) SELECT $1, p, $3 FROM unnest($2::text[]) AS p
       ON CONFLICT (tenant_id, path) DO UPDATE SET last_seen = EXCLUDED.last_seen
       WHERE rollout_unit_paths.last_seen < EXCLUDED.last_seen - interval '1 minute'`,
      [tenantId, paths, at],
    );
  }

  async unitPathEvidence(tenantId: string, path: string): Promise<UnitPathEvidence> {
    const rows = (await this.dataSource.query(
      `SELECT bool_or(path = $2) AS seen, count(*)::int AS paths FROM rollout_unit_paths WHERE tenant_id = $1`,
      [tenantId, path],
    )) as { seen: boolean | null; paths: number }[];
    if (!rows[0] || rows[0].paths === 0) return 'no_traffic';
    return rows[0].seen ? 'seen' : 'unseen';
  }

  private async appendTransitions(
    m: EntityManager,
    events: EventEnvelope<RolloutTransitionedV1>[],
  ): Promise<void> {
    for (const e of events)
      await m.query(`INSERT INTO rollout_transitions (rollout_id, event_id, event) VALUES ($1, $2, $3)`, [
        e.data.rolloutId,
        e.id,
        JSON.stringify(e),
      ]);
  }
}
