import type { KnowledgeVersionActivatedV1 } from '@agentops/contracts';
import {
  ImportFormat,
  KnowledgeDiff,
  checkRemovals,
  diffKnowledge,
  formatProblem,
  newestReadTime,
  parseKnowledgeImport,
} from '@agentops/knowledge';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { Clock, DomainError } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { KNOWLEDGE_DISTRIBUTION, KnowledgeDistribution } from './knowledge-distribution';
import { KNOWLEDGE_VERSIONS, KnowledgeVersions, StoredKnowledgeVersion } from './knowledge-versions';

export interface KnowledgeImportRequest {
  tenantId: string;
  format: ImportFormat;
  content: string;
  force: boolean;
  importedBy: string;
}

export interface KnowledgeImportResult {
  tenantId: string;
  kbVersion: number;
  /** False when the import changed nothing: the current version stays, no new one is made. */
  changed: boolean;
  /**
   * True when it changed no fact but was read later than the current version: the version keeps
   * its number and takes the newer read times (freshness follows the newest read).
   */
  readTimesRefreshed: boolean;
  products: number;
  diff: KnowledgeDiff;
}

/** The activation every instance applies, built from a stored version. */
export function activationOf(v: StoredKnowledgeVersion): KnowledgeVersionActivatedV1 {
  return {
    tenantId: v.tenantId,
    kbVersion: v.kbVersion,
    document: v.document as unknown as Record<string, unknown>,
    summary: v.diff.summary.slice(0, 1000),
    importedBy: v.importedBy,
    activatedAt: v.importedAt.toISOString(),
  };
}

/** Two imports of one tenant racing for the same number: the loser re-diffs against the winner. */
const APPEND_ATTEMPTS = 3;

/**
 * Use case: import a tenant's knowledge (JSON, YAML, or a product CSV over the current version).
 * Nothing partial — any problem refuses the whole import, each problem naming its row and field —
 * and an import that would drop more than a fifth of the products needs `force`. An accepted
 * import becomes the tenant's next version with its diff, is served by this instance at once and
 * by every other guardrail and ingest instance when the activation arrives on the compacted topic.
 */
@Injectable()
export class KnowledgeImport {
  constructor(
    @Inject(KNOWLEDGE_VERSIONS) private readonly versions: KnowledgeVersions,
    @Inject(KNOWLEDGE_DISTRIBUTION) private readonly distribution: KnowledgeDistribution,
    private readonly active: ActiveKnowledge,
    private readonly clock: Clock,
  ) {}

  async import(request: KnowledgeImportRequest): Promise<KnowledgeImportResult> {
    for (let attempt = 1; ; attempt++) {
      const previous = await this.versions.latest(request.tenantId);
      const parsed = parseKnowledgeImport(request.content, request.format, {
        base: previous?.document,
        asOf: this.clock.now().toISOString(),
      });
      if (!parsed.ok)
        throw new DomainError(
          'invalid',
          `knowledge import refused, nothing applied: ${parsed.problems.slice(0, 5).map(formatProblem).join('; ')}${
            parsed.problems.length > 5 ? ` (and ${parsed.problems.length - 5} more)` : ''
          }`,
          { problems: parsed.problems.slice(0, 100) },
        );
      const removal = checkRemovals(previous?.document, parsed.document, { force: request.force });
      if (!removal.ok)
        throw new DomainError('refused', `knowledge import refused, nothing applied: ${removal.reason}`, {
          removed: removal.removed,
          share: removal.share,
        });
      const diff = diffKnowledge(previous?.document, parsed.document);
      if (previous && diff.empty) {
        const later = newestReadTime(parsed.document) > newestReadTime(previous.document);
        const refreshed =
          later &&
          (await this.versions.refreshReadTimes(request.tenantId, previous.kbVersion, parsed.document));
        if (later && !refreshed) {
          if (attempt < APPEND_ATTEMPTS) continue; // a newer version arrived meanwhile: re-diff
          throw new DomainError(
            'conflict',
            `another knowledge import of ${request.tenantId} is in progress; retry`,
          );
        }
        if (refreshed) {
          const activation = activationOf(refreshed);
          this.active.activate(activation);
          await this.distribution.distribute(activation);
        }
        return {
          tenantId: request.tenantId,
          kbVersion: previous.kbVersion,
          changed: false,
          readTimesRefreshed: Boolean(refreshed),
          products: previous.products,
          diff,
        };
      }
      const stored = await this.versions.append(request.tenantId, previous?.kbVersion ?? 0, {
        document: parsed.document,
        diff,
        format: request.format,
        importedBy: request.importedBy,
      });
      if (!stored) {
        if (attempt < APPEND_ATTEMPTS) continue;
        throw new DomainError(
          'conflict',
          `another knowledge import of ${request.tenantId} is in progress; retry`,
        );
      }
      const activation = activationOf(stored);
      this.active.activate(activation);
      await this.distribution.distribute(activation);
      return {
        tenantId: stored.tenantId,
        kbVersion: stored.kbVersion,
        changed: true,
        readTimesRefreshed: false,
        products: stored.products,
        diff,
      };
    }
  }
}
