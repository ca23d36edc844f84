import { RetailFacts } from '@agentops/policy';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One version of a tenant's retail facts as stored (facts as imported, possibly partial). */
export interface StoredRetailFacts {
  tenantId: string;
  version: number;
  facts: Partial<RetailFacts>;
}

/** Versioned retail facts per tenant (`guardrail.retail_facts`). */
export abstract class RetailFactsRepository {
  /** Each tenant's latest version. */
  abstract latestPerTenant(): Promise<StoredRetailFacts[]>;
  /** Stores the tenant's next version (one above its latest, 1 for the first); returns it. */
  abstract storeNextVersion(tenantId: string, facts: RetailFacts, importedBy: string): Promise<number>;
}

/** The only place that speaks SQL about retail facts. */
@Injectable()
export class PostgresRetailFactsRepository extends RetailFactsRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async latestPerTenant(): Promise<StoredRetailFacts[]> {
    const rows: { tenant_id: string; version: number; facts: Partial<RetailFacts> }[] =
      await this.dataSource.query(
        `SELECT DISTINCT ON (tenant_id) tenant_id, version, facts FROM retail_facts ORDER BY tenant_id, version DESC`,
      );
    return rows.map((r) => ({ tenantId: r.tenant_id, version: r.version, facts: r.facts }));
  }

  async storeNextVersion(tenantId: string, facts: RetailFacts, importedBy: string): Promise<number> {
    // Imports of one tenant are serialised (an advisory lock): two at once would both read the
    // same latest version, and the second would fail on the primary key instead of taking the next.
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('guardrail.retail_facts'), hashtext($1))`, [
        tenantId,
      ]);
      const [row] = await tx.query(
        `INSERT INTO retail_facts (tenant_id, version, facts, imported_by)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3 FROM retail_facts WHERE tenant_id = $1
         RETURNING version`,
        [tenantId, JSON.stringify(facts), importedBy],
      );
      return row.version as number;
    });
  }
}
