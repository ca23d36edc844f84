import type { CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1 } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
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

  async update(
    agentId: string,
    judge: (row: AgentAccessRow | undefined) => AgentUpdate | null,
  ): Promise<AgentUpdate | null> {
    return this.dataSource.transaction(async (m) => {
      const [current] = (await m.query(
        `SELECT ${AGENT_COLUMNS} FROM access_agents WHERE agent_id = $1 FOR UPDATE`,
        [agentId],
      )) as AgentRowRaw[];
      const update = judge(current ? toRow(current) : undefined);
      if (!update) return null;
      const r = update.row;
      await m.query(
        `INSERT INTO access_agents (agent_id, tenant_id, seq, state, offsets, reports_access, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (agent_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, seq = EXCLUDED.seq,
           state = EXCLUDED.state, offsets = EXCLUDED.offsets, reports_access = EXCLUDED.reports_access,
           updated_at = EXCLUDED.updated_at`,
        [r.agentId, r.tenantId, r.seq, JSON.stringify(r.state), JSON.stringify(r.offsets), r.reportsAccess],
      );
      for (const e of update.anomalies)
        await m.query(
          `INSERT INTO access_anomalies (anomaly_id, agent_id, tenant_id, severity, detected_at, envelope)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (anomaly_id) DO NOTHING`,
          [
            e.data.anomalyId,
            e.data.agentId,
            e.data.tenantId,
            e.data.severity,
            e.data.detectedAt,
            JSON.stringify(e),
          ],
        );
      return update;
    });
  }

  async agentRow(agentId: string): Promise<AgentAccessRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${AGENT_COLUMNS} FROM access_agents WHERE agent_id = $1`,
      [agentId],
    )) as AgentRowRaw[];
    return row ? toRow(row) : undefined;
  }

  async agentRows(tenantId: string | undefined, agentId?: string): Promise<AgentAccessRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${AGENT_COLUMNS} FROM access_agents
       WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR agent_id = $2)
       ORDER BY agent_id LIMIT 500`,
      [tenantId ?? null, agentId ?? null],
    )) as AgentRowRaw[];
    return rows.map(toRow);
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

  async markPublished(envelope: AnomalyEnvelope, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE access_anomalies SET envelope = $2, published_at = $3 WHERE anomaly_id = $1`,
      [envelope.data.anomalyId, JSON.stringify(envelope), at],
    );
  }

  async recordQuarantine(envelope: AnomalyEnvelope): Promise<void> {
    await this.dataSource.query(
      `UPDATE access_anomalies SET envelope = $2, switch_id = $3 WHERE anomaly_id = $1`,
      [envelope.data.anomalyId, JSON.stringify(envelope), envelope.data.quarantine?.switchId ?? null],
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

  async anomalies(q: AnomalyQuery): Promise<AccessAnomalyDetectedV1[]> {
    const rows = (await this.dataSource.query(
      `SELECT envelope FROM access_anomalies
       WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR agent_id = $2)
         AND ($3::text IS NULL OR severity = $3)
         AND ($5::timestamptz IS NULL OR (detected_at, anomaly_id) < ($5::timestamptz, $6::uuid))
       ORDER BY detected_at DESC, anomaly_id DESC LIMIT $4`,
      [
        q.tenantId ?? null,
        q.agentId ?? null,
        q.severity ?? null,
        q.limit,
        q.after?.[0] ?? null,
        q.after?.[1] ?? null,
      ],
    )) as { envelope: AnomalyEnvelope }[];
    return rows.map((r) => r.envelope.data);
  }
}
