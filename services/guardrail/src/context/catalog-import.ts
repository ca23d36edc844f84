import { CatalogEntry } from '@agentops/policy';
import { DataSource } from 'typeorm';
import { CatalogItemEntity } from '../persistence/entities';

/** Upserts catalog rows (the seed and, later, the context import API use it). */
export async function importCatalog(dataSource: DataSource, entries: CatalogEntry[]): Promise<number> {
  const repo = dataSource.getRepository(CatalogItemEntity);
  for (let i = 0; i < entries.length; i += 500) {
    await repo.upsert(entries.slice(i, i + 500), ['tenantId', 'sku']);
  }
  return entries.length;
}
