import type { KnowledgeDocumentInput } from '@agentops/knowledge';
import { buildCorpusCatalog, corpusDocument } from '../knowledge/corpus-catalog';
import { SimSku } from './catalog';
import { GroundingTally } from './grounding-tally';
import { Endpoints, api } from './platform-api';
import { CheckedClaims, GroundingSection, claimsChecked } from './report-grounding';

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

/**
 * Imports a tenant's approved knowledge as its next version (the shopper's pitches are written
 * from and checked against it). A re-run with the same facts keeps the version: nothing changed.
 */
export async function importKnowledge(
  endpoints: Pick<Endpoints, 'guardrail'>,
  token: string,
  tenantId: string,
  document: KnowledgeDocumentInput,
): Promise<{ kbVersion: number; products: number }> {
  const imported = await api<{ kbVersion: number; products: number }>(
    'POST',
    `${endpoints.guardrail}/v1/knowledge/${encodeURIComponent(tenantId)}/imports`,
    token,
    { format: 'json', content: JSON.stringify(document), force: true },
  );
  return { kbVersion: imported.kbVersion, products: imported.products };
}

/** The run's ground truth (what the shopper invented) beside what the guardrail checked (the audit). */
export async function groundingSummary(
  endpoints: Pick<Endpoints, 'audit'>,
  token: string,
  grounding: GroundingTally,
  knowledge: { kbVersion: number; products: number },
  agentId: string,
): Promise<GroundingSection> {
  const decided: (CheckedClaims | undefined)[] = [];
  let cursor: string | undefined;
  do {
    const qs = new URLSearchParams({
      agentId,
      type: 'agentops.intent.decided.v1',
      limit: '1000',
      ...(cursor ? { cursor } : {}),
    });
    const page = await api<{ records: { payload?: { grounding?: CheckedClaims } }[]; nextCursor?: string }>(
      'GET',
      `${endpoints.audit}/v1/audit/records?${qs}`,
      token,
    );
    decided.push(...page.records.map((r) => r.payload?.grounding));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return {
    ...knowledge,
    pitches: grounding.pitches,
    byKind: grounding.byKind,
    caughtBy: grounding.caughtBy,
    heldBackCorrect: grounding.heldBackCorrect,
    checked: claimsChecked(decided),
  };
}
