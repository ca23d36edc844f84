import type { KnowledgeVersionActivatedV1 } from '@agentops/contracts';
import { Clock } from '@agentops/service-runtime';
import { KnowledgeDistribution } from './knowledge-distribution';
import {
  KnowledgeVersionSummary,
  KnowledgeVersions,
  NewKnowledgeVersion,
  StoredKnowledgeVersion,
} from './knowledge-versions';

/** In-memory doubles of the knowledge module's ports, for the use cases' unit specs. */
export class InMemoryKnowledgeVersions implements KnowledgeVersions {
  readonly rows: StoredKnowledgeVersion[] = [];

  constructor(private readonly clock: Clock) {}

  private of(tenantId: string): StoredKnowledgeVersion[] {
    return this.rows.filter((r) => r.tenantId === tenantId).sort((a, b) => b.kbVersion - a.kbVersion);
  }

  async latest(tenantId: string) {
    return this.of(tenantId)[0] ?? null;
  }

  async get(tenantId: string, kbVersion: number) {
    return this.of(tenantId).find((r) => r.kbVersion === kbVersion) ?? null;
  }

  async list(tenantId: string, limit: number, below?: number): Promise<KnowledgeVersionSummary[]> {
    return this.of(tenantId)
      .filter((v) => below === undefined || v.kbVersion < below)
      .slice(0, limit)
      .map(({ document: _d, diff: _f, ...summary }) => summary);
  }

  async append(tenantId: string, expectedPrevious: number, next: NewKnowledgeVersion) {
    if ((this.of(tenantId)[0]?.kbVersion ?? 0) !== expectedPrevious) return null;
    const row: StoredKnowledgeVersion = {
      tenantId,
      kbVersion: expectedPrevious + 1,
      document: next.document,
      diff: next.diff,
      summary: next.diff.summary,
      format: next.format,
      products: next.document.products.length,
      importedBy: next.importedBy,
      importedAt: this.clock.now(),
    };
    this.rows.push(row);
    return row;
  }

  async refreshReadTimes(tenantId: string, kbVersion: number, document: StoredKnowledgeVersion['document']) {
    const latest = this.of(tenantId)[0];
    if (!latest || latest.kbVersion !== kbVersion) return null;
    latest.document = document;
    return latest;
  }

  async latestVersions() {
    const tenants = [...new Set(this.rows.map((r) => r.tenantId))];
    return tenants.map((tenantId) => ({ tenantId, kbVersion: this.of(tenantId)[0].kbVersion }));
  }
}

export class RecordingDistribution implements KnowledgeDistribution {
  readonly sent: KnowledgeVersionActivatedV1[] = [];

  async distribute(activation: KnowledgeVersionActivatedV1): Promise<void> {
    this.sent.push(activation);
  }
}
