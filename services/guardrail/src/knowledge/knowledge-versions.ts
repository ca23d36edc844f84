import type { ImportFormat, KnowledgeDiff, KnowledgeDocument } from '@agentops/knowledge';

/** One accepted import as stored: the document and its diff against the version before it. */
export interface StoredKnowledgeVersion {
  tenantId: string;
  kbVersion: number;
  document: KnowledgeDocument;
  diff: KnowledgeDiff;
  summary: string;
  format: ImportFormat;
  products: number;
  importedBy: string;
  importedAt: Date;
}

export type KnowledgeVersionSummary = Omit<StoredKnowledgeVersion, 'document' | 'diff'>;

export interface NewKnowledgeVersion {
  document: KnowledgeDocument;
  diff: KnowledgeDiff;
  format: ImportFormat;
  importedBy: string;
}

/** The port the import use case stores versions through (PostgreSQL in the service, a Map in specs). */
export interface KnowledgeVersions {
  latest(tenantId: string): Promise<StoredKnowledgeVersion | null>;
  get(tenantId: string, kbVersion: number): Promise<StoredKnowledgeVersion | null>;
  /** At most `limit` versions, newest first; with `below`, only versions older than it. */
  list(tenantId: string, limit: number, below?: number): Promise<KnowledgeVersionSummary[]>;
  /**
   * Stores `next` as the tenant's next version, unless another import took that number first:
   * then `expectedPrevious` no longer is the latest and null comes back (the caller re-diffs).
   */
  append(
    tenantId: string,
    expectedPrevious: number,
    next: NewKnowledgeVersion,
  ): Promise<StoredKnowledgeVersion | null>;
  /**
   * Replaces the read times of the tenant's latest version, `kbVersion`, with `document`'s (whose
   * facts are the same: the caller diffed them); null when `kbVersion` is no longer the latest.
   */
  refreshReadTimes(
    tenantId: string,
    kbVersion: number,
    document: KnowledgeDocument,
  ): Promise<StoredKnowledgeVersion | null>;
  /** The latest version of every tenant, without documents (the boot-time repair compares these). */
  latestVersions(): Promise<{ tenantId: string; kbVersion: number }[]>;
}

export const KNOWLEDGE_VERSIONS = Symbol('KNOWLEDGE_VERSIONS');
