import { z } from 'zod';
import { Identifier } from '../common/schema';

export const KnowledgeVersionActivatedType = 'agentops.knowledge.version_activated.v1' as const;

/**
 * A tenant's knowledge base has a new active version. Keyed by tenant id on the compacted topic, so
 * compaction keeps the current version of every tenant and a starting instance reads them all. The
 * event carries the whole document: ingest serves it to agents and may not read guardrail's tables.
 * The document's shape belongs to the domain (libs/knowledge `KnowledgeDocument`), which every
 * consumer validates on receipt; contracts import nothing of ours, so here it is an object.
 */
export const KnowledgeVersionActivatedV1 = z.object({
  tenantId: Identifier,
  kbVersion: z.number().int().positive(),
  document: z.record(z.string(), z.unknown()),
  /** The diff against the previous version, in one line ("products +3 −1 ~12; copy +1"). */
  summary: z.string().max(1000),
  importedBy: z.string().min(1).max(200),
  activatedAt: z.string().datetime({ offset: true }),
});
export type KnowledgeVersionActivatedV1 = z.infer<typeof KnowledgeVersionActivatedV1>;
