import { KnowledgeDiff, diffKnowledge } from '@agentops/knowledge';
import { DomainError } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { KNOWLEDGE_VERSIONS, KnowledgeVersionSummary, KnowledgeVersions } from './knowledge-versions';

export const MAX_LISTED_VERSIONS = 200;

/** Use case: what a tenant's knowledge base has been, version by version, and what changed between two. */
@Injectable()
export class KnowledgeHistory {
  constructor(@Inject(KNOWLEDGE_VERSIONS) private readonly versions: KnowledgeVersions) {}

  list(tenantId: string, limit = 50): Promise<KnowledgeVersionSummary[]> {
    return this.versions.list(tenantId, Math.min(Math.max(limit, 1), MAX_LISTED_VERSIONS));
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
