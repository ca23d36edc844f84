import { CatalogEntry } from '@agentops/policy';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CatalogItemEntity } from '../persistence/entities';

/** How often a tenant's catalog was imported and when last (`null` before the first import). */
export interface CatalogImportSummary {
  imports: number;
  lastImportAt: Date | null;
}

/** The retail catalog (`guardrail.catalog_items`) and the record of its imports (`catalog_imports`). */
export abstract class CatalogRepository {
  /** Every tenant's catalog items. */
  abstract allItems(): Promise<CatalogEntry[]>;
  /** Upserts the items (by tenant and SKU) and records one import per tenant; returns the item count. */
  abstract importCatalog(entries: CatalogEntry[], importedBy: string): Promise<number>;
  abstract importSummaryFor(tenantId: string): Promise<CatalogImportSummary>;
}

/** The only place that speaks SQL about the catalog (the seed and the context import API use it). */
@Injectable()
export class PostgresCatalogRepository extends CatalogRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async allItems(): Promise<CatalogEntry[]> {
    return (await this.dataSource.getRepository(CatalogItemEntity).find()).map((r) => ({ ...r }));
  }

  async importCatalog(entries: CatalogEntry[], importedBy = 'seed'): Promise<number> {
    const repo = this.dataSource.getRepository(CatalogItemEntity);
    // One row per tenant and SKU, the later entry winning (as a later import would): PostgreSQL
    // refuses an upsert that touches the same row twice in one statement.
    const latest = new Map(entries.map((e) => [`${e.tenantId}\u0000${e.sku}`, e]));
    const rows = [...latest.values()].map((e) => ({ stock: 0, velocity30d: 0, slowMover: false, ...e }));
    for (let i = 0; i < rows.length; i += 500) {
      await repo.upsert(rows.slice(i, i + 500), ['tenantId', 'sku']);
    }
    const tenants = [...new Set(entries.map((e) => e.tenantId))];
    for (const tenant of tenants) {
      await this.dataSource.query(
        `INSERT INTO guardrail.catalog_imports (tenant_id, items, imported_by) VALUES ($1, $2, $3)`,
        [tenant, entries.filter((e) => e.tenantId === tenant).length, importedBy],
      );
    }
    return entries.length;
  }

  async importSummaryFor(tenantId: string): Promise<CatalogImportSummary> {
    const [summary] = (await this.dataSource.query(
      `SELECT count(*)::int AS imports, max(imported_at) AS "lastImportAt" FROM guardrail.catalog_imports WHERE tenant_id = $1`,
      [tenantId],
    )) as CatalogImportSummary[];
    return summary;
  }
}
