import { CohortSelector, EventEnvelope, KillSwitchChangedV1 } from '@agentops/contracts';
import { KEYSET_TIME, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';

export interface SwitchRecord {
  id: string;
  tenantId: string | null;
  selector: CohortSelector;
  state: 'active' | 'released';
  actor: string;
  reason: string;
  ticket: string | null;
  expiresAt: string | null;
  flippedAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
  lastEvent: EventEnvelope<KillSwitchChangedV1>;
}

export interface HistoryEntry {
  seq: string;
  switchId: string;
  eventId: string;
  state: string;
  actor: string;
  reason: string;
  at: string;
}

const COLUMNS = `id, tenant_id AS "tenantId", selector, state, actor, reason, ticket, expires_at AS "expiresAt", flipped_at AS "flippedAt",
  released_at AS "releasedAt", released_by AS "releasedBy", release_reason AS "releaseReason", last_event AS "lastEvent"`;

/** Switches, most recently flipped first: (flipped_at, id) descending. */
export const SWITCHES_KEYSET = new Keyset(z.tuple([KEYSET_TIME, z.string().uuid()]));
/** History entries, newest first: seq descending. */
export const HISTORY_KEYSET = new Keyset(z.tuple([z.string().regex(/^\d{1,19}$/)]));

/** Switches and their history in the killswitch schema; the only place that speaks SQL about them. */
@Injectable()
export class SwitchRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a flip and its history entry in one statement — one round trip and one implicit
   * transaction (with its commit's fsync) instead of BEGIN, two INSERTs and COMMIT: the flip is on
   * the kill switch's critical path, and the fan-out waits for this commit. Returns the stored row
   * so the API answers without reading it back.
   */
  async insertFlip(event: EventEnvelope<KillSwitchChangedV1>): Promise<SwitchRecord> {
    const d = event.data;
    // Data-modifying CTEs run in one snapshot; the history row's foreign key is checked at the end
    // of the statement, after the switch row exists.
    const rows = (await this.dataSource.query(
      `WITH flipped AS (
         INSERT INTO switches (id, tenant_id, selector, state, actor, reason, ticket, expires_at, flipped_at, last_event)
         VALUES ($1, $2, $3, 'active', $4, $5, $6, $7, $8, $9)
         RETURNING ${COLUMNS}
       ), history AS (
         INSERT INTO switch_history (switch_id, tenant_id, event_id, state, actor, reason, at)
         VALUES ($1, $2, $10, 'active', $4, $5, $8)
       )
       SELECT * FROM flipped`,
      [
        d.switchId,
        d.selector.tenantId ?? null,
        JSON.stringify(d.selector),
        d.actor,
        d.reason,
        d.ticket ?? null,
        d.expiresAt ?? null,
        d.changedAt,
        JSON.stringify(event),
        event.id,
      ],
    )) as SwitchRecord[];
    return normalise(rows[0]);
  }

  /**
   * Releases an active switch under a row lock; `build` makes the release event from the stored
   * row. Returns null when the switch does not exist, and the row unchanged when already released.
   */
  async release(
    id: string,
    build: (row: SwitchRecord) => EventEnvelope<KillSwitchChangedV1>,
  ): Promise<{ row: SwitchRecord; event?: EventEnvelope<KillSwitchChangedV1> } | null> {
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(`SELECT ${COLUMNS} FROM switches WHERE id = $1 FOR UPDATE`, [
        id,
      ])) as SwitchRecord[];
      const row = rows[0];
      if (!row) return null;
      if (row.state === 'released') return { row: normalise(row) };
      const event = build(normalise(row));
      await m.query(
        `UPDATE switches SET state = 'released', released_at = $2, released_by = $3, release_reason = $4, last_event = $5 WHERE id = $1`,
        [id, event.data.changedAt, event.data.actor, event.data.reason, JSON.stringify(event)],
      );
      await this.appendHistory(m, event);
      const updated = (await m.query(`SELECT ${COLUMNS} FROM switches WHERE id = $1`, [
        id,
      ])) as SwitchRecord[];
      return { row: normalise(updated[0]), event };
    });
  }

  async find(id: string): Promise<SwitchRecord | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM switches WHERE id = $1`, [
      id,
    ])) as SwitchRecord[];
    return rows[0] ? normalise(rows[0]) : null;
  }

  /** `tenantId` undefined = every tenant (platform operator). */
  async list(
    state: 'active' | 'all',
    tenantId: string | undefined,
    page: PageRequest,
  ): Promise<Page<SwitchRecord>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (state === 'active') where.push(`state = 'active' AND (expires_at IS NULL OR expires_at > now())`);
    if (tenantId !== undefined) {
      params.push(tenantId);
      where.push(`tenant_id = $${params.length}`);
    }
    const after = SWITCHES_KEYSET.after(page);
    if (after) {
      params.push(...after);
      // Milliseconds, as the position carries them (flips are stamped by a JS clock anyway).
      where.push(
        `(date_trunc('milliseconds', flipped_at), id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(page.limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM switches ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY date_trunc('milliseconds', flipped_at) DESC, id DESC LIMIT $${params.length}`,
      params,
    )) as SwitchRecord[];
    return SWITCHES_KEYSET.page(rows.map(normalise), page.limit, (r) => [r.flippedAt, r.id]);
  }

  async history(
    switchId: string | undefined,
    tenantId: string | undefined,
    page: PageRequest,
  ): Promise<Page<HistoryEntry>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (switchId) {
      params.push(switchId);
      where.push(`switch_id = $${params.length}`);
    }
    if (tenantId !== undefined) {
      params.push(tenantId);
      where.push(`tenant_id = $${params.length}`);
    }
    const after = HISTORY_KEYSET.after(page);
    if (after) {
      params.push(after[0]);
      where.push(`seq < $${params.length}::bigint`);
    }
    params.push(page.limit + 1);
    // ORDER BY the column, not the text alias: '100' sorts before '99' as text.
    const rows = (await this.dataSource.query(
      `SELECT seq::text AS seq, switch_id AS "switchId", event_id AS "eventId", state, actor, reason, at FROM switch_history
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY switch_history.seq DESC LIMIT $${params.length}`,
      params,
    )) as HistoryEntry[];
    return HISTORY_KEYSET.page(
      rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      page.limit,
      (r) => [r.seq],
    );
  }

  async dueForExpiry(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM switches WHERE state = 'active' AND expires_at <= now()`,
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** The last event of every switch still active: what the compacted topic must hold. */
  async activeEvents(): Promise<EventEnvelope<KillSwitchChangedV1>[]> {
    const rows = (await this.dataSource.query(
      `SELECT last_event AS "lastEvent" FROM switches WHERE state = 'active'`,
    )) as { lastEvent: EventEnvelope<KillSwitchChangedV1> }[];
    return rows.map((r) => r.lastEvent);
  }

  private async appendHistory(m: EntityManager, event: EventEnvelope<KillSwitchChangedV1>): Promise<void> {
    const d = event.data;
    await m.query(
      `INSERT INTO switch_history (switch_id, tenant_id, event_id, state, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [d.switchId, d.selector.tenantId ?? null, event.id, d.state, d.actor, d.reason, d.changedAt],
    );
  }
}

function iso(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(v as string).toISOString();
}

function normalise(r: SwitchRecord): SwitchRecord {
  return { ...r, expiresAt: iso(r.expiresAt), flippedAt: iso(r.flippedAt)!, releasedAt: iso(r.releasedAt) };
}
