import { CatalogEntry, RetailFacts } from '@agentops/policy';
import { ReadinessRegistry } from '@agentops/service-runtime';
import type { Logger } from 'pino';
import { GuardrailConfig } from '../../config';
import { CatalogCache } from '../catalog-cache';
import { CatalogImportSummary, CatalogRepository } from '../catalog-repository';
import { RetailFactsCache } from '../retail-facts';
import { RetailFactsRepository, StoredRetailFacts } from '../retail-facts-repository';

/**
 * Test doubles for guardrail's retail context: the catalog and the retail facts in memory behind
 * the same ports as the PostgreSQL repositories (upsert by tenant and SKU, one version more per
 * import), and the caches built over them without their refresh timer.
 */
export class InMemoryCatalogRepository extends CatalogRepository {
  readonly items = new Map<string, CatalogEntry>();
  readonly imports: { tenantId: string; items: number; importedBy: string; at: Date }[] = [];

  async allItems(): Promise<CatalogEntry[]> {
    return [...this.items.values()].map((i) => ({ ...i }));
  }

  async importCatalog(entries: CatalogEntry[], importedBy = 'seed'): Promise<number> {
    for (const e of entries)
      this.items.set(`${e.tenantId}/${e.sku}`, { stock: 0, velocity30d: 0, slowMover: false, ...e });
    for (const tenantId of new Set(entries.map((e) => e.tenantId)))
      this.imports.push({
        tenantId,
        items: entries.filter((e) => e.tenantId === tenantId).length,
        importedBy,
        at: new Date(0),
      });
    return entries.length;
  }

  async importSummaryFor(tenantId: string): Promise<CatalogImportSummary> {
    const mine = this.imports.filter((i) => i.tenantId === tenantId);
    return { imports: mine.length, lastImportAt: mine.length ? mine[mine.length - 1].at : null };
  }
}

export class InMemoryRetailFactsRepository extends RetailFactsRepository {
  readonly versions: StoredRetailFacts[] = [];

  async latestPerTenant(): Promise<StoredRetailFacts[]> {
    const latest = new Map<string, StoredRetailFacts>();
    for (const v of this.versions)
      if ((latest.get(v.tenantId)?.version ?? 0) < v.version) latest.set(v.tenantId, v);
    return [...latest.values()];
  }

  async storeNextVersion(tenantId: string, facts: RetailFacts): Promise<number> {
    const version =
      Math.max(0, ...this.versions.filter((v) => v.tenantId === tenantId).map((v) => v.version)) + 1;
    this.versions.push({ tenantId, version, facts });
    return version;
  }
}

const runtime = () =>
  [
    { add: () => undefined } as unknown as ReadinessRegistry,
    { CATALOG_REFRESH_MS: 60_000 } as GuardrailConfig,
    { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger,
  ] as const;

export function catalogCache(repo: CatalogRepository): CatalogCache {
  return new CatalogCache(repo, ...runtime());
}

export function retailFactsCache(repo: RetailFactsRepository): RetailFactsCache {
  return new RetailFactsCache(repo, ...runtime());
}
