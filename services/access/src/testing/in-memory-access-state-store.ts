import type { CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1 } from '@agentops/contracts';
import {
  AccessStateStore,
  AgentAccessRow,
  AgentUpdate,
  AnomalyEnvelope,
  AnomalyQuery,
} from '../monitoring/access-state-store';

interface StoredAnomaly {
  envelope: AnomalyEnvelope;
  createdAt: Date;
  publishedAt?: Date;
}

/** The state store in memory, JSON round trips included (what PostgreSQL's jsonb does to rows). */
export class InMemoryAccessStateStore extends AccessStateStore {
  readonly rows = new Map<string, AgentAccessRow>();
  readonly stored: StoredAnomaly[] = [];
  cohorts: Record<string, CohortBaselines> = {};
  /** Set to make the next update fail after the judgement (a lost connection at commit). */
  failNextCommit = false;

  /** `now` stamps stored anomalies (PostgreSQL's clock_timestamp()); a spec passes its clock's. */
  constructor(private readonly now: () => Date = () => new Date()) {
    super();
  }

  async update(
    agentId: string,
    judge: (row: AgentAccessRow | undefined) => AgentUpdate | null,
  ): Promise<AgentUpdate | null> {
    const current = this.rows.get(agentId);
    const update = judge(current ? copy(current) : undefined);
    if (!update) return null;
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('connection lost at commit');
    }
    this.rows.set(agentId, copy(update.row));
    for (const e of update.anomalies) this.stored.push({ envelope: copy(e), createdAt: this.now() });
    return update;
  }

  async agentRow(agentId: string): Promise<AgentAccessRow | undefined> {
    const row = this.rows.get(agentId);
    return row && copy(row);
  }

  async agentRows(tenantId: string | undefined, agentId?: string): Promise<AgentAccessRow[]> {
    return [...this.rows.values()]
      .filter((r) => (!tenantId || r.tenantId === tenantId) && (!agentId || r.agentId === agentId))
      .map(copy);
  }

  async saveCohorts(cohorts: Record<string, CohortBaselines>): Promise<void> {
    this.cohorts = { ...this.cohorts, ...copy(cohorts) };
  }

  async loadCohorts(): Promise<Record<string, CohortBaselines>> {
    return copy(this.cohorts);
  }

  async unpublished(before: Date, limit: number): Promise<AnomalyEnvelope[]> {
    return this.stored
      .filter((s) => !s.publishedAt && s.createdAt < before)
      .slice(0, limit)
      .map((s) => copy(s.envelope));
  }

  async markPublished(envelope: AnomalyEnvelope, at: Date): Promise<void> {
    const s = this.find(envelope);
    s.envelope = copy(envelope);
    s.publishedAt = at;
  }

  async recordQuarantine(envelope: AnomalyEnvelope): Promise<void> {
    this.find(envelope).envelope = copy(envelope);
  }

  async recentQuarantine(agentId: string, since: Date): Promise<string | undefined> {
    return this.stored
      .map((s) => s.envelope.data)
      .filter((d) => d.agentId === agentId && d.quarantine && Date.parse(d.detectedAt) >= since.getTime())
      .at(-1)?.quarantine?.switchId;
  }

  async anomalies(q: AnomalyQuery): Promise<AccessAnomalyDetectedV1[]> {
    return this.stored
      .map((s) => s.envelope.data)
      .filter(
        (d) =>
          (!q.tenantId || d.tenantId === q.tenantId) &&
          (!q.agentId || d.agentId === q.agentId) &&
          (!q.severity || d.severity === q.severity),
      )
      .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt) || b.anomalyId.localeCompare(a.anomalyId))
      .filter(
        (d) =>
          !q.after || d.detectedAt < q.after[0] || (d.detectedAt === q.after[0] && d.anomalyId < q.after[1]),
      )
      .slice(0, q.limit);
  }

  private find(envelope: AnomalyEnvelope): StoredAnomaly {
    const s = this.stored.find((x) => x.envelope.data.anomalyId === envelope.data.anomalyId);
    if (!s) throw new Error(`no anomaly ${envelope.data.anomalyId}`);
    return s;
  }
}

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
