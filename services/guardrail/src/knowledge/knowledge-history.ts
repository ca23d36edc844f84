import { KnowledgeDiff, diffKnowledge } from '@agentops/knowledge';
import { DomainError, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { KNOWLEDGE_VERSIONS, KnowledgeVersionSummary, KnowledgeVersions } from './knowledge-versions';

export const MAX_LISTED_VERSIONS = 200;
/** Versions newest first: the version number descending. */
export const VERSIONS_KEYSET = new Keyset(z.tuple([z.number().int().min(1)]));

/** Use case: what a tenant's knowledge base has been, version by version, and what changed between two. */
@Injectable()
export class KnowledgeHistory {
  constructor(@Inject(KNOWLEDGE_VERSIONS) private readonly versions: KnowledgeVersions) {}

  async list(tenantId: string, page: PageRequest): Promise<Page<KnowledgeVersionSummary>> {
    const limit = Math.min(Math.max(page.limit, 1), MAX_LISTED_VERSIONS);
    const rows = await this.versions.list(tenantId, limit + 1, VERSIONS_KEYSET.after(page)?.[0]);
    return VERSIONS_KEYSET.page(rows, limit, (v) => [v.kbVersion]);
  }

  /** The diff from version `a` to version `b` (either order; `b` older than `a` shows the way back). */
  async diff(
    tenantId: string,
    a: number,
    b: number,
  ): Promise<{ from: number; to: number; diff: KnowledgeDiff }> {
    const [from, to] = await Promise.all([this.versions.get(tenantId, a), this.versions.get(tenantId, b)]);
    if (!from) throw new DomainError('not_found', `knowledge version ${a} of ${tenantId} does not exist`);
    if (!to) throw new DomainError('not_found', `knowledge version ${b} of ${tenantId} does not exist`);
    return { from: a, to: b, diff: diffKnowledge(from.document, to.document) };
  }
}
