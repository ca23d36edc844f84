import { KEYSET_TIME, Keyset } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { RECORD_COLUMNS, StoredRecord } from './record-content';

export interface AuditQuery {
  /** Undefined = every tenant (operator only). */
  tenantId?: string;
  correlationId?: string;
  agentId?: string;
  action?: string;
  verdict?: string;
  decidedBy?: string;
  type?: string;
  actorKind?: string;
  subject?: string;
  /** Decisions with at least one grounded claim of this verdict (`payload.grounding.claims`). */
  claimVerdict?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

export interface RecordPage {
  records: (Omit<StoredRecord, 'sealed'> & { eventTime: string })[];
  next: string | null;
  /** @deprecated `next`, kept one release */
  nextCursor: string | null;
}

/** Records page over (recorded_at, event_id), oldest first. */
export const RECORDS_KEYSET = new Keyset(z.tuple([KEYSET_TIME, z.string().uuid()]));

@Injectable()
export class AuditRecordRepository {
  constructor(private readonly dataSource: DataSource) {}

  async query(q: AuditQuery): Promise<RecordPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const v of values) {
        params.push(v);
        text = text.replace('?', `$${params.length}`);
      }
      where.push(text);
    };
    if (q.tenantId !== undefined) add('tenant_id = ?', q.tenantId);
    if (q.correlationId) add('correlation_id = ?', q.correlationId);
    if (q.agentId) add('agent_id = ?', q.agentId);
    if (q.action) add('action = ?', q.action);
    if (q.verdict) add('verdict = ?', q.verdict);
    if (q.decidedBy) add('decided_by = ?', q.decidedBy);
    if (q.type) add('type = ?', q.type);
    if (q.actorKind) add('actor_kind = ?', q.actorKind);
    if (q.subject) add('subjects @> ARRAY[?]::text[]', q.subject);
    if (q.claimVerdict)
      add(`payload -> 'grounding' -> 'claims' @> ?::jsonb`, JSON.stringify([{ verdict: q.claimVerdict }]));
    if (q.from) add('recorded_at >= ?::timestamptz', q.from);
    if (q.to) add('recorded_at < ?::timestamptz', q.to);
    const after = RECORDS_KEYSET.after(q);
    if (after) add('(recorded_at, event_id) > (?::timestamptz, ?::uuid)', ...after);
    params.push(q.limit + 1);
    const rows = await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS} FROM records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY recorded_at, event_id LIMIT $${params.length}`,
      params,
    );
    const { items, next } = RECORDS_KEYSET.page(rows as StoredRecord[], q.limit, (r) => [
      r.recordedAt,
      r.eventId,
    ]);
    return {
      // Sealed values stay in the store: the API shows pseudonyms, as the BI topic does.
      records: items.map(({ sealed: _sealed, ...r }) => r),
      next,
      nextCursor: next,
    };
  }

  /** The tenant of each of these records (by event id); ids with no record are absent. */
  async tenantsOf(eventIds: string[]): Promise<Map<string, string>> {
    if (!eventIds.length) return new Map();
    const owners = (await this.dataSource.query(
      `SELECT event_id, tenant_id FROM records WHERE event_id = ANY($1::uuid[])`,
      [eventIds],
    )) as { event_id: string; tenant_id: string }[];
    return new Map(owners.map((o) => [o.event_id, o.tenant_id]));
  }

  async count(tenantId?: string): Promise<number> {
    const [row] = await this.dataSource.query(
      tenantId !== undefined
        ? `SELECT count(*)::int AS n FROM records WHERE tenant_id = $1`
        : `SELECT count(*)::int AS n FROM record_index`,
      tenantId !== undefined ? [tenantId] : [],
    );
    return row.n;
  }
}
