import { CatalogEntry } from '@agentops/policy';
import { LOGGER, PeriodicRefresh, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { GuardrailConfig } from '../config';
import { CatalogRepository } from './catalog-repository';

/** The retail catalog held in memory: the decision path never waits on PostgreSQL for it. */
@Injectable()
export class CatalogCache implements OnModuleInit, OnModuleDestroy {
  private items = new Map<string, CatalogEntry>();
  private readonly schedule: PeriodicRefresh;

  constructor(
    private readonly repository: CatalogRepository,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) config: GuardrailConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.schedule = new PeriodicRefresh('catalog', () => this.refresh(), config.CATALOG_REFRESH_MS, logger);
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start(this.readiness);
  }

  onModuleDestroy(): void {
    this.schedule.stop();
  }

  /** Upserts catalog rows, records the import and serves the result at once on this instance. */
  async importCatalog(entries: CatalogEntry[], importedBy = 'seed'): Promise<number> {
    const imported = await this.repository.importCatalog(entries, importedBy);
    await this.refresh();
    return imported;
  }

  async refresh(): Promise<void> {
    const rows = await this.repository.allItems();
    const next = new Map<string, CatalogEntry>();
    for (const r of rows) next.set(key(r.tenantId, r.sku), r);
    this.items = next;
  }

  readonly lookup = (tenantId: string, sku: string): CatalogEntry | undefined =>
    this.items.get(key(tenantId, sku));

  get size(): number {
    return this.items.size;
  }

  countFor(tenantId: string): number {
    let n = 0;
    for (const entry of this.items.values()) if (entry.tenantId === tenantId) n++;
    return n;
  }
}

function key(tenantId: string, sku: string): string {
  return `${tenantId}\u0000${sku}`;
}
