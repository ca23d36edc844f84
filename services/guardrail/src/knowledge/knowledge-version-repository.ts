import type { ImportFormat, KnowledgeDiff, KnowledgeDocument } from '@agentops/knowledge';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  KnowledgeVersionSummary,
  KnowledgeVersions,
  NewKnowledgeVersion,
  StoredKnowledgeVersion,
} from './knowledge-versions';

interface Row {
  tenant_id: string;
  kb_version: number;
  document?: KnowledgeDocument;
  diff?: KnowledgeDiff;
  summary: string;
  format: ImportFormat;
  products: number;
  imported_by: string;
  imported_at: Date;
}

const SUMMARY_COLUMNS = 'tenant_id, kb_version, summary, format, products, imported_by, imported_at';

function summaryOf(r: Row): KnowledgeVersionSummary {
  return {
    tenantId: r.tenant_id,
    kbVersion: r.kb_version,
    summary: r.summary,
    format: r.format,
    products: r.products,
    importedBy: r.imported_by,
    importedAt: r.imported_at,
  };
}

function versionOf(r: Row): StoredKnowledgeVersion {
  return { ...summaryOf(r), document: r.document!, diff: r.diff! };
}

/** Knowledge versions in `guardrail.knowledge_versions`: the only place that speaks SQL about them. */
@Injectable()
export class KnowledgeVersionRepository implements KnowledgeVersions {
  constructor(private readonly dataSource: DataSource) {}

  async latest(tenantId: string): Promise<StoredKnowledgeVersion | null> {
    const [row] = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, document, diff FROM knowledge_versions
        WHERE tenant_id = $1 ORDER BY kb_version DESC LIMIT 1`,
      [tenantId],
    )) as Row[];
    return row ? versionOf(row) : null;
  }

  async get(tenantId: string, kbVersion: number): Promise<StoredKnowledgeVersion | null> {
    const [row] = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, document, diff FROM knowledge_versions WHERE tenant_id = $1 AND kb_version = $2`,
      [tenantId, kbVersion],
    )) as Row[];
    return row ? versionOf(row) : null;
  }

  async list(tenantId: string, limit: number, below?: number): Promise<KnowledgeVersionSummary[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM knowledge_versions WHERE tenant_id = $1 AND ($3::int IS NULL OR kb_version < $3)
       ORDER BY kb_version DESC LIMIT $2`,
      [tenantId, limit, below ?? null],
    )) as Row[];
    return rows.map(summaryOf);
  }

  async append(
    tenantId: string,
    expectedPrevious: number,
    next: NewKnowledgeVersion,
  ): Promise<StoredKnowledgeVersion | null> {
    // Only on top of the latest version (no gaps, as the port says); the primary key decides a
    // race: the second import of the same number inserts nothing.
    const [row] = (await this.dataSource.query(
      `INSERT INTO knowledge_versions (tenant_id, kb_version, document, diff, summary, format, products, imported_by)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8
        WHERE (SELECT COALESCE(max(kb_version), 0) FROM knowledge_versions WHERE tenant_id = $1) = $9
       ON CONFLICT (tenant_id, kb_version) DO NOTHING
       RETURNING ${SUMMARY_COLUMNS}`,
      [
        tenantId,
        expectedPrevious + 1,
        JSON.stringify(next.document),
        JSON.stringify(next.diff),
        next.diff.summary,
        next.format,
        next.document.products.length,
        next.importedBy,
        expectedPrevious,
      ],
    )) as Row[];
    return row ? { ...summaryOf(row), document: next.document, diff: next.diff } : null;
  }

  async refreshReadTimes(
    tenantId: string,
    kbVersion: number,
    document: KnowledgeDocument,
  ): Promise<StoredKnowledgeVersion | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE knowledge_versions SET document = $3
        WHERE tenant_id = $1 AND kb_version = $2
          AND NOT EXISTS (SELECT 1 FROM knowledge_versions WHERE tenant_id = $1 AND kb_version > $2)
       RETURNING ${SUMMARY_COLUMNS}, document, diff`,
      [tenantId, kbVersion, JSON.stringify(document)],
    )) as [Row[], number];
    return rows?.[0] ? versionOf(rows[0]) : null;
  }

  async latestVersions(): Promise<{ tenantId: string; kbVersion: number }[]> {
    const rows = (await this.dataSource.query(
      `SELECT tenant_id, max(kb_version)::int AS kb_version FROM knowledge_versions GROUP BY tenant_id`,
    )) as Row[];
    return rows.map((r) => ({ tenantId: r.tenant_id, kbVersion: r.kb_version }));
  }
}
