import { CatalogEntry } from '@agentops/policy';
import { DataSource } from 'typeorm';
import { CatalogItemEntity } from '../persistence/entities';

/** Upserts catalog rows and records the import (the seed and the context import API use it). */
export async function importCatalog(
  dataSource: DataSource,
  entries: CatalogEntry[],
  importedBy = 'seed',
): Promise<number> {
  const repo = dataSource.getRepository(CatalogItemEntity);
  const rows = entries.map((e) => ({ stock: 0, velocity30d: 0, slowMover: false, ...e }));
  for (let i = 0; i < rows.length; i += 500) {
    await repo.upsert(rows.slice(i, i + 500), ['tenantId', 'sku']);
  }
  const tenants = [...new Set(entries.map((e) => e.tenantId))];
  for (const tenant of tenants) {
    await dataSource.query(
      `INSERT INTO guardrail.catalog_imports (tenant_id, items, imported_by) VALUES ($1, $2, $3)`,
      [tenant, entries.filter((e) => e.tenantId === tenant).length, importedBy],
    );
  }
  return entries.length;
}
