import type { CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1 } from '@agentops/contracts';
import { Page, PageRequest, keysetTimeSql } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ACCESS_AGENTS_KEYSET,
  ANOMALIES_KEYSET,
  AccessStateStore,
  AgentAccessRow,
  AgentUpdate,
  AnomalyEnvelope,
  AnomalyQuery,
} from '../monitoring/access-state-store';

const AGENT_COLUMNS = `agent_id AS "agentId", tenant_id AS "tenantId", seq, state, offsets, reports_access AS "reportsAccess"`;

interface AgentRowRaw extends Omit<AgentAccessRow, 'seq'> {
  seq: string | number;
}

const toRow = (r: AgentRowRaw): AgentAccessRow => ({ ...r, seq: Number(r.seq) });

@Injectable()
export class PgAccessStateStore extends AccessStateStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  /**
   * One transaction per batch: the rows locked in agent-id order (two instances overlapping in a
   * rebalance wait for each other instead of deadlocking), then one multi-row upsert of the rows
   * and one multi-row insert of the anomalies.
   */
  async updateAgents(
    agentIds: readonly string[],
    judge: (rows: ReadonlyMap<string, AgentAccessRow>) => AgentUpdate[],
  ): Promise<AgentUpdate[]> {
    if (agentIds.length === 0) return [];
    return this.dataSource.transaction(async (m) => {
      const current = (await m.query(
        `SELECT ${AGENT_COLUMNS} FROM access_agents WHERE agent_id = ANY($1::text[])
         ORDER BY agent_id COLLATE "C" FOR UPDATE`,
        [[...new Set(agentIds)].sort()],
      )) as AgentRowRaw[];
      const updates = judge(new Map(current.map((r) => [r.agentId, toRow(r)])));
      if (updates.length === 0) return [];
      await m.query(
        `INSERT INTO access_agents (agent_id, tenant_id, seq, state, offsets, reports_access, updated_at)
         SELECT r."agentId", r."tenantId", r.seq, r.state, r.offsets, r."reportsAccess", now()
           FROM jsonb_to_recordset($1::jsonb)
             AS r("agentId" text, "tenantId" text, seq bigint, state jsonb, offsets jsonb, "reportsAccess" boolean)
         ON CONFLICT (agent_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, seq = EXCLUDED.seq,
           state = EXCLUDED.state, offsets = EXCLUDED.offsets, reports_access = EXCLUDED.reports_access,
           updated_at = EXCLUDED.updated_at`,
        [JSON.stringify(updates.map((u) => u.row))],
      );
      const anomalies = updates.flatMap((u) => u.anomalies);
      if (anomalies.length)
        await m.query(
          `INSERT INTO access_anomalies (anomaly_id, agent_id, tenant_id, severity, detected_at, envelope)
           SELECT (e -> 'data' ->> 'anomalyId')::uuid, e -> 'data' ->> 'agentId', e -> 'data' ->> 'tenantId',
                  e -> 'data' ->> 'severity', (e -> 'data' ->> 'detectedAt')::timestamptz, e
             FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(e, n)
            ORDER BY n
           ON CONFLICT (anomaly_id) DO NOTHING`,
          [JSON.stringify(anomalies)],
        );
      return updates;
    });
  }

  async agentRow(agentId: string): Promise<AgentAccessRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${AGENT_COLUMNS} FROM access_agents WHERE agent_id = $1`,
      [agentId],
    )) as AgentRowRaw[];
    return row ? toRow(row) : undefined;
  }

  async agentRows(
    tenantId: string | undefined,
    agentId: string | undefined,
    page: PageRequest,
  ): Promise<Page<AgentAccessRow>> {
    const after = ACCESS_AGENTS_KEYSET.after(page)?.[0] ?? null;
    const rows = (await this.dataSource.query(
      `SELECT ${AGENT_COLUMNS} FROM access_agents
       WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR agent_id = $2)
         AND ($3::text IS NULL OR agent_id COLLATE "C" > $3)
       ORDER BY agent_id COLLATE "C" LIMIT $4`,
      [tenantId ?? null, agentId ?? null, after, page.limit + 1],
    )) as AgentRowRaw[];
    return ACCESS_AGENTS_KEYSET.page(rows.map(toRow), page.limit, (r) => [r.agentId]);
  }

  async saveCohorts(cohorts: Record<string, CohortBaselines>): Promise<void> {
    const entries = Object.entries(cohorts);
    if (entries.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO access_cohorts (cohort_key, baselines, updated_at)
       SELECT key, value, now() FROM jsonb_each($1::jsonb)
       ON CONFLICT (cohort_key) DO UPDATE SET baselines = EXCLUDED.baselines, updated_at = EXCLUDED.updated_at`,
      [JSON.stringify(cohorts)],
    );
  }

  async loadCohorts(): Promise<Record<string, CohortBaselines>> {
    const rows = (await this.dataSource.query(`SELECT cohort_key AS key, baselines FROM access_cohorts`)) as {
      key: string;
      baselines: CohortBaselines;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.baselines]));
  }

  async unpublished(before: Date, limit: number): Promise<AnomalyEnvelope[]> {
    const rows = (await this.dataSource.query(
      `SELECT envelope FROM access_anomalies WHERE published_at IS NULL AND created_at < $1
       ORDER BY created_at LIMIT $2`,
      [before, limit],
    )) as { envelope: AnomalyEnvelope }[];
    return rows.map((r) => r.envelope);
  }

  async markPublished(envelopes: readonly AnomalyEnvelope[], at: Date): Promise<void> {
    if (envelopes.length === 0) return;
    await this.dataSource.query(
      `UPDATE access_anomalies a SET envelope = e.envelope, published_at = $2
         FROM jsonb_array_elements($1::jsonb) AS e(envelope)
        WHERE a.anomaly_id = (e.envelope -> 'data' ->> 'anomalyId')::uuid`,
      [JSON.stringify(envelopes), at],
    );
  }

  async recordQuarantine(envelopes: readonly AnomalyEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await this.dataSource.query(
      `UPDATE access_anomalies a SET envelope = e.envelope,
              switch_id = (e.envelope -> 'data' -> 'quarantine' ->> 'switchId')::uuid
         FROM jsonb_array_elements($1::jsonb) AS e(envelope)
        WHERE a.anomaly_id = (e.envelope -> 'data' ->> 'anomalyId')::uuid`,
      [JSON.stringify(envelopes)],
    );
  }

  async recentQuarantine(agentId: string, since: Date): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT switch_id AS "switchId" FROM access_anomalies
       WHERE agent_id = $1 AND switch_id IS NOT NULL AND detected_at >= $2
       ORDER BY detected_at DESC LIMIT 1`,
      [agentId, since],
    )) as { switchId: string }[];
    return row?.switchId;
  }

  async anomalies(q: AnomalyQuery, page: PageRequest): Promise<Page<AccessAnomalyDetectedV1>> {
    const after = ANOMALIES_KEYSET.after(page);
    const rows = (await this.dataSource.query(
      `SELECT envelope, ${keysetTimeSql('detected_at')} AS at, anomaly_id::text AS id FROM access_anomalies
       WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR agent_id = $2)
         AND ($3::text IS NULL OR severity = $3)
         AND ($4::timestamptz IS NULL OR (detected_at, anomaly_id) < ($4::timestamptz, $5::uuid))
       ORDER BY detected_at DESC, anomaly_id DESC LIMIT $6`,
      [
        q.tenantId ?? null,
        q.agentId ?? null,
        q.severity ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        page.limit + 1,
      ],
    )) as { envelope: AnomalyEnvelope; at: string; id: string }[];
    const { items, next } = ANOMALIES_KEYSET.page(rows, page.limit, (r) => [r.at, r.id]);
    return { items: items.map((r) => r.envelope.data), next };
  }
}
