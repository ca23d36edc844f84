import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** How often a tenant's catalog was imported and when last (`null` before the first import). */
export interface CatalogImportSummary {
  imports: number;
  lastImportAt: Date | null;
}

/** The record of catalog imports (`guardrail.catalog_imports`), read side. */
@Injectable()
export class CatalogImportRepository {
  constructor(private readonly dataSource: DataSource) {}

  async summaryFor(tenantId: string): Promise<CatalogImportSummary> {
    const [summary] = (await this.dataSource.query(
      `SELECT count(*)::int AS imports, max(imported_at) AS "lastImportAt" FROM guardrail.catalog_imports WHERE tenant_id = $1`,
      [tenantId],
    )) as CatalogImportSummary[];
    return summary;
  }
}
