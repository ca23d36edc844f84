import { ActiveKnowledge, ActiveKnowledgeVersion } from '@agentops/knowledge-client';
import { DATA_CLASSES, DataClass, ProductFact, evaluateFreshness, freshnessLimit } from '@agentops/knowledge';
import { Clock, DomainError } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';

/** How fresh a product's volatile facts are at the time of the read. */
export interface FactFreshness {
  asOf: string;
  ageSeconds: number;
  limitSeconds?: number;
  stale: boolean;
}

/**
 * Use case: what an agent may tell a customer, from its tenant's current knowledge version in this
 * instance's memory (followed from `agentops.knowledge.v1`). Every answer carries the `kbVersion`,
 * which the agent cites in its intent's `dataUsed` so that a policy can tell a superseded read.
 */
@Injectable()
export class KnowledgeReads {
  constructor(
    private readonly active: ActiveKnowledge,
    private readonly clock: Clock,
  ) {}

  private current(tenantId: string): ActiveKnowledgeVersion {
    const v = this.active.current(tenantId);
    if (!v) throw new DomainError('not_found', `tenant ${tenantId} has no approved knowledge yet`);
    return v;
  }

  /** The version, service policies, brand voice, approved claims and freshness limits. */
  summary(tenantId: string) {
    const v = this.current(tenantId);
    const doc = v.compiled.version.document;
    return {
      tenantId,
      kbVersion: v.kbVersion,
      activatedAt: v.activatedAt,
      asOf: doc.asOf,
      products: doc.products.length,
      policies: doc.policies,
      voice: doc.voice,
      approvedClaims: doc.approvedClaims,
      freshnessLimits: Object.fromEntries(
        DATA_CLASSES.map((c) => [c, freshnessLimit(doc, c) ?? null] as const),
      ) as Record<DataClass, number | null>,
    };
  }

  product(tenantId: string, sku: string) {
    const now = this.clock.now().getTime();
    const v = this.current(tenantId);
    const product: ProductFact | undefined = v.compiled.products.get(sku);
    if (!product) throw new DomainError('not_found', `no approved facts for SKU ${sku}`);
    const doc = v.compiled.version.document;
    const fresh = (c: 'price' | 'stock'): FactFreshness => {
      const f = evaluateFreshness(doc, c, product.asOf?.[c], now);
      return {
        asOf: f.asOf,
        ageSeconds: Math.round(f.ageSeconds),
        ...(f.limitSeconds !== undefined ? { limitSeconds: f.limitSeconds } : {}),
        stale: f.stale,
      };
    };
    return {
      tenantId,
      kbVersion: v.kbVersion,
      product,
      freshness: { price: fresh('price'), stock: fresh('stock') },
    };
  }

  /** Approved copy live at `now`, optionally of one campaign or product. */
  copy(tenantId: string, filter: { campaign?: string; sku?: string }) {
    const now = this.clock.now().getTime();
    const v = this.current(tenantId);
    const copy = v.compiled.version.document.copy.filter(
      (c) =>
        (!filter.campaign || c.campaign === filter.campaign) &&
        (!filter.sku || !c.sku || c.sku === filter.sku) &&
        !(c.validFrom && Date.parse(c.validFrom) > now) &&
        !(c.validTo && Date.parse(c.validTo) < now),
    );
    return { tenantId, kbVersion: v.kbVersion, copy };
  }
}
