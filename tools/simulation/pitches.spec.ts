import { KnowledgeDocument, checkText, compileKnowledge, type ClaimVerdict } from '@agentops/knowledge';
import { generateCatalog } from './catalog';
import { simulationKnowledge } from './knowledge';
import { PITCH_DELIVERY, PitchFacts, writePitch } from './pitches';
import { Random } from './random';

const NOW = new Date('2026-12-02T10:00:00Z');
const catalog = generateCatalog(7);
const document = KnowledgeDocument.parse(simulationKnowledge(7, catalog, NOW));
const kb = compileKnowledge({ tenantId: 'maison-demo', kbVersion: 1, document });
const facts = (sku: string) => document.products.find((p) => p.sku === sku)! as unknown as PitchFacts;

function verdicts(message: string, sku: string): ClaimVerdict[] {
  const report = checkText(kb, message, {
    now: NOW.getTime(),
    sku,
    region: PITCH_DELIVERY.region,
    tier: PITCH_DELIVERY.tier,
  });
  if (!report.ok) throw new Error(report.reason);
  return report.verdicts;
}

describe('the personal shopper pitches from approved knowledge', () => {
  const skus = catalog
    .filter((s) => s.stock > 0 && !s.slowMover)
    .slice(0, 300)
    .map((s) => s.sku);

  it('knows the catalog it was given: the guardrail context prices and stock, read now', () => {
    const row = catalog[12];
    const p = document.products.find((x) => x.sku === row.sku)!;
    expect(p.price).toEqual({ amount: row.price, currency: 'EUR' });
    expect(p.stock).toBe(row.stock);
    expect(p.asOf).toBeUndefined();
    expect(document.asOf).toBe(NOW.toISOString());
  });

  it('a pitch written from the facts is supported claim by claim', () => {
    const rnd = new Random(3);
    for (const sku of skus) {
      const pitch = writePitch(rnd, 'Ana', facts(sku), 0);
      const vs = verdicts(pitch.message, sku);
      expect(pitch.invented).toBeUndefined();
      expect({
        sku,
        message: pitch.message,
        off: vs.filter((v) => v.verdict !== 'SUPPORTED').map((v) => `${v.claim.kind}: ${v.reason}`),
      }).toEqual({ sku, message: pitch.message, off: [] });
      expect(vs.map((v) => v.claim.kind)).toEqual(expect.arrayContaining(['price', 'delivery']));
    }
  });

  it('an invented material, price, stock or delivery promise is contradicted, and only that claim', () => {
    const rnd = new Random(5);
    const seen = new Set<string>();
    for (const sku of skus) {
      const pitch = writePitch(rnd, 'Louis', facts(sku), 1);
      expect(pitch.invented).toBeDefined();
      seen.add(pitch.invented!);
      const bad = verdicts(pitch.message, sku).filter((v) => v.verdict !== 'SUPPORTED');
      expect({ message: pitch.message, bad: bad.map((v) => `${v.claim.kind} ${v.verdict}`) }).toEqual({
        message: pitch.message,
        bad: [`${pitch.invented} CONTRADICTED`],
      });
    }
    expect([...seen].sort()).toEqual(['delivery', 'material', 'price', 'stock']);
  });

  it('invents in about one pitch in four', () => {
    const rnd = new Random(11);
    const n = 2000;
    let invented = 0;
    for (let i = 0; i < n; i++) if (writePitch(rnd, 'Mei', facts(skus[i % skus.length])).invented) invented++;
    expect(invented / n).toBeGreaterThan(0.21);
    expect(invented / n).toBeLessThan(0.29);
  });
});
