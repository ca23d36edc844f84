import type { KnowledgeDocumentInput } from '@agentops/knowledge';
import { buildCorpusCatalog, corpusDocument } from '../knowledge/corpus-catalog';
import { SimSku } from './catalog';

/**
 * The demo tenant's approved knowledge: the simulation's own catalog (the prices and stock the
 * guardrail's context holds) dressed with the grounding corpus's names, composition, origin and
 * colours — the same seed gives the same SKUs — and the corpus's service policies. Read now: every
 * fact is fresh when the run starts (the corpus's deliberately old read times are dropped).
 */
export function simulationKnowledge(seed: number, catalog: SimSku[], now: Date): KnowledgeDocumentInput {
  const doc = corpusDocument(buildCorpusCatalog(seed, catalog.length));
  const bySku = new Map(catalog.map((s) => [s.sku, s]));
  return {
    ...doc,
    asOf: now.toISOString(),
    products: (doc.products ?? []).map((p) => {
      const sim = bySku.get(p.sku)!;
      const { compareAtPrice: _markdown, otherPrices: _other, asOf: _readAt, ...rest } = p;
      return { ...rest, price: { amount: sim.price, currency: 'EUR' }, stock: sim.stock };
    }),
  };
}
