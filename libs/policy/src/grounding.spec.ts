import { KnowledgeDocument, compileKnowledge } from '@agentops/knowledge';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvaluationContext, UNKNOWN_ITEM } from './evaluation-context';
import { evaluatePolicyLayers } from './policy-layers';
import { compilePolicySet, formatProblem } from './policy-set';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const kb = compileKnowledge({
  tenantId: 't1',
  kbVersion: 4,
  document: KnowledgeDocument.parse({
    asOf: '2026-12-01T09:59:30Z',
    products: [
      {
        sku: 'MD-BAG-00002',
        name: 'Aurore Tote',
        price: { amount: 1900, currency: 'EUR' },
        stock: 120,
        materials: [{ material: 'calfskin', percent: 100 }],
        origin: { country: 'FR' },
      },
    ],
    policies: { delivery: [{ region: 'EU', tier: 'standard', minDays: 2, maxDays: 4 }] },
  }),
});

const compiled = compilePolicySet([
  {
    path: 'knowledge.yaml',
    content: readFileSync(join(__dirname, '../../../policies/retail/knowledge.yaml'), 'utf8'),
  },
]);
if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
const layers = { baseline: compiled.set, knowledge: kb };

const ctx = (message: string): EvaluationContext => ({
  intent: {
    action: 'shopping.recommend',
    target: { type: 'customer', id: 'c1' },
    params: { sku: 'MD-BAG-00002', region: 'EU', tier: 'standard', message },
    confidence: 0.9,
    justification: 'matches the wish list',
  },
  agent: { id: 'a1', tenantId: 't1', role: 'shopping', version: '1', region: 'eu', labels: {} },
  item: UNKNOWN_ITEM,
  counters: {},
  retail: { competitors: [], approvedFacts: [], ownBrands: [] },
});

describe('decision grounding: the claims checked and the policies that fired on each', () => {
  it('records every claim with its verdict and citation, and the deny on exactly the contradicted one', () => {
    const e = evaluatePolicyLayers(
      layers,
      ctx('The Aurore Tote is 100 % cashmere, made in France, yours for EUR 1,900.'),
      NOW,
    );
    expect(e.verdict).toBe('deny');
    expect(e.grounding?.kbVersion).toBe(4);
    expect(e.grounding?.omitted).toBe(0);
    const byKind = Object.fromEntries(e.grounding!.claims.map((c) => [c.kind, c]));
    expect(byKind.material).toEqual({
      kind: 'material',
      verdict: 'CONTRADICTED',
      record: 'product/MD-BAG-00002',
      field: 'materials',
      kbVersion: 4,
      expected: expect.stringContaining('calfskin'),
      policies: [{ policyId: 'retail.knowledge.contradicted-facts', effect: 'deny', mode: 'enforce' }],
    });
    expect(byKind.price).toMatchObject({ verdict: 'SUPPORTED', policies: [] });
    expect(byKind.origin).toMatchObject({ verdict: 'SUPPORTED', policies: [] });
  });

  it('never carries the wording of the message, only the approved values', () => {
    const e = evaluatePolicyLayers(layers, ctx('Aurore Tote: 100 % cashmere, arriving tomorrow.'), NOW);
    const text = JSON.stringify(e.grounding);
    expect(text).not.toMatch(/cashmere|tomorrow|arriving/i);
    expect(text).toContain('100 % calfskin');
    expect(e.grounding!.claims.map((c) => c.verdict)).toContain('CONTRADICTED');
  });

  it('an escalating policy is attributed to the claims its filter picked, not to every claim', () => {
    const e = evaluatePolicyLayers(
      layers,
      ctx('The Aurore Tote is 100 % calfskin and guaranteed to appreciate in value.'),
      NOW,
    );
    expect(e.verdict).toBe('escalate');
    const guarantee = e.grounding!.claims.find((c) => c.verdict === 'UNVERIFIABLE')!;
    expect(guarantee.policies).toEqual([
      { policyId: 'retail.knowledge.unverifiable-guarantees', effect: 'escalate', mode: 'enforce' },
    ]);
    expect(
      e.grounding!.claims.filter((c) => c.verdict === 'SUPPORTED').every((c) => c.policies.length === 0),
    ).toBe(true);
  });

  it('is absent when no text was checked, and without a knowledge base', () => {
    expect(evaluatePolicyLayers(layers, ctx(''), NOW).grounding).toBeUndefined();
    expect(
      evaluatePolicyLayers({ baseline: compiled.set }, ctx('100 % cashmere'), NOW).grounding,
    ).toBeUndefined();
  });
});
