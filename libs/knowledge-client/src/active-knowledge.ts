import type { KnowledgeVersionActivatedV1 } from '@agentops/contracts';
import { CompiledKnowledge, KnowledgeDocument, compileKnowledge, newestReadTime } from '@agentops/knowledge';

/** A tenant's knowledge version as an instance serves it: compiled once, then only read. */
export interface ActiveKnowledgeVersion {
  tenantId: string;
  kbVersion: number;
  compiled: CompiledKnowledge;
  summary: string;
  importedBy: string;
  activatedAt: string;
}

export type ActivationResult =
  { applied: true } | { applied: false; why: 'not-newer' | 'invalid-document'; detail?: string };

/** `newestReadTime` of a document not parsed yet (NaN when it has no readable `asOf`). */
function rawNewestReadTime(document: Record<string, unknown>): number {
  const doc = document as { asOf?: unknown; products?: unknown };
  let newest = typeof doc.asOf === 'string' ? Date.parse(doc.asOf) : NaN;
  if (Array.isArray(doc.products))
    for (const p of doc.products as { asOf?: { price?: unknown; stock?: unknown } }[])
      for (const at of [p?.asOf?.price, p?.asOf?.stock])
        if (typeof at === 'string') newest = Math.max(newest, Date.parse(at));
  return newest;
}

/**
 * The current knowledge version of every tenant this instance serves (guardrail decides with it,
 * ingest answers agents from it). Versions only move forward: a replayed or late activation of an
 * older or equal `kbVersion` changes nothing, so the topic, a local import and a repair at boot can
 * all feed it in any order. The one exception moves time, not facts: the current version with
 * newer read times (a re-import of unchanged facts, read again) replaces it, so a stock figure
 * re-read every minute never turns stale.
 */
export class ActiveKnowledge {
  private readonly versions = new Map<string, ActiveKnowledgeVersion>();
  private loaded = false;

  get isLoaded(): boolean {
    return this.loaded;
  }

  markLoaded(): void {
    this.loaded = true;
  }

  activate(event: KnowledgeVersionActivatedV1): ActivationResult {
    const current = this.versions.get(event.tenantId);
    if (current && current.kbVersion > event.kbVersion) return { applied: false, why: 'not-newer' };
    // A replay of the current version is the common case (the topic after a local import, a
    // restart): answered from its read times, without parsing and compiling the document again.
    if (
      current &&
      current.kbVersion === event.kbVersion &&
      !(rawNewestReadTime(event.document) > newestReadTime(current.compiled.version.document))
    )
      return { applied: false, why: 'not-newer' };
    const parsed = KnowledgeDocument.safeParse(event.document);
    if (!parsed.success)
      return {
        applied: false,
        why: 'invalid-document',
        detail: parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; '),
      };
    this.versions.set(event.tenantId, {
      tenantId: event.tenantId,
      kbVersion: event.kbVersion,
      compiled: compileKnowledge({
        tenantId: event.tenantId,
        kbVersion: event.kbVersion,
        document: parsed.data,
      }),
      summary: event.summary,
      importedBy: event.importedBy,
      activatedAt: event.activatedAt,
    });
    return { applied: true };
  }

  current(tenantId: string): ActiveKnowledgeVersion | undefined {
    return this.versions.get(tenantId);
  }

  /** Tenants served and their versions, for readiness and the operators' view. */
  tenants(): { tenantId: string; kbVersion: number }[] {
    return [...this.versions.values()]
      .map((v) => ({ tenantId: v.tenantId, kbVersion: v.kbVersion }))
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }
}
