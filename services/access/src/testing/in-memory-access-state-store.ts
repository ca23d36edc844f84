import type { CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1 } from '@agentops/contracts';
import { Page, PageRequest } from '@agentops/service-runtime';
import {
  ACCESS_AGENTS_KEYSET,
  ANOMALIES_KEYSET,
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
  /** Transactions run (one per batch): what a spec counts to see the batching. */
  updates = 0;

  /** `now` stamps stored anomalies (PostgreSQL's clock_timestamp()); a spec passes its clock's. */
  constructor(private readonly now: () => Date = () => new Date()) {
    super();
  }

  async updateAgents(
    agentIds: readonly string[],
    judge: (rows: ReadonlyMap<string, AgentAccessRow>) => AgentUpdate[],
  ): Promise<AgentUpdate[]> {
    this.updates++;
    const current = new Map<string, AgentAccessRow>();
    for (const id of agentIds) {
      const row = this.rows.get(id);
      if (row) current.set(id, copy(row));
    }
    const updates = judge(current);
    if (updates.length === 0) return [];
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('connection lost at commit');
    }
    for (const u of updates) {
      this.rows.set(u.row.agentId, copy(u.row));
      for (const e of u.anomalies) this.stored.push({ envelope: copy(e), createdAt: this.now() });
    }
    return updates;
  }

  async agentRow(agentId: string): Promise<AgentAccessRow | undefined> {
    const row = this.rows.get(agentId);
    return row && copy(row);
  }

  async agentRows(
    tenantId: string | undefined,
    agentId: string | undefined,
    page: PageRequest,
  ): Promise<Page<AgentAccessRow>> {
    const after = ACCESS_AGENTS_KEYSET.after(page)?.[0];
    const rows = [...this.rows.values()]
      .filter((r) => (!tenantId || r.tenantId === tenantId) && (!agentId || r.agentId === agentId))
      .filter((r) => after === undefined || r.agentId > after)
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
      .slice(0, page.limit + 1)
      .map(copy);
    return ACCESS_AGENTS_KEYSET.page(rows, page.limit, (r) => [r.agentId]);
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

  async markPublished(envelopes: readonly AnomalyEnvelope[], at: Date): Promise<void> {
    for (const envelope of envelopes) {
      const s = this.find(envelope);
      s.envelope = copy(envelope);
      s.publishedAt = at;
    }
  }

  async recordQuarantine(envelopes: readonly AnomalyEnvelope[]): Promise<void> {
    for (const envelope of envelopes) this.find(envelope).envelope = copy(envelope);
  }

  async recentQuarantine(agentId: string, since: Date): Promise<string | undefined> {
    return this.stored
      .map((s) => s.envelope.data)
      .filter((d) => d.agentId === agentId && d.quarantine && Date.parse(d.detectedAt) >= since.getTime())
      .at(-1)?.quarantine?.switchId;
  }

  async anomalies(q: AnomalyQuery, page: PageRequest): Promise<Page<AccessAnomalyDetectedV1>> {
    const after = ANOMALIES_KEYSET.after(page);
    const position = (d: AccessAnomalyDetectedV1) =>
      `${new Date(d.detectedAt).toISOString()}\u0000${d.anomalyId}`;
    const rows = this.stored
      .map((s) => copy(s.envelope.data))
      .filter(
        (d) =>
          (!q.tenantId || d.tenantId === q.tenantId) &&
          (!q.agentId || d.agentId === q.agentId) &&
          (!q.severity || d.severity === q.severity),
      )
      .sort((a, b) => (position(a) < position(b) ? 1 : -1))
      .filter((d) => !after || position(d) < `${new Date(after[0]).toISOString()}\u0000${after[1]}`)
      .slice(0, page.limit + 1);
    return ANOMALIES_KEYSET.page(rows, page.limit, (d) => [d.detectedAt, d.anomalyId]);
  }

  private find(envelope: AnomalyEnvelope): StoredAnomaly {
    const s = this.stored.find((x) => x.envelope.data.anomalyId === envelope.data.anomalyId);
    if (!s) throw new Error(`no anomaly ${envelope.data.anomalyId}`);
    return s;
  }
}

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
