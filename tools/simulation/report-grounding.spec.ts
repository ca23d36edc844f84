import { GroundingTally } from './grounding-tally';
import { claimsChecked, groundingHtml, groundingLines } from './report-grounding';

const claim = (verdict: 'SUPPORTED' | 'CONTRADICTED', kind: string, fired = false) => ({
  kind,
  verdict,
  record: 'product/S',
  field: kind,
  kbVersion: 2,
  expected: '',
  policies: fired
    ? [{ policyId: 'retail.knowledge.contradicted-facts', effect: 'deny' as const, mode: 'enforce' as const }]
    : [],
});

describe('simulation grounding: what the shopper invented and what the guardrail caught', () => {
  it('counts an invented claim caught when the pitch was denied, escalated or modified, let through when allowed', () => {
    const t = new GroundingTally();
    t.pitched(
      { message: 'm', invented: 'price' },
      { executed: false, by: 'retail.knowledge.contradicted-facts' },
    );
    t.pitched(
      { message: 'm', invented: 'stock' },
      { executed: true, verdict: 'allow', review: { intentId: 'i' } },
    );
    t.pitched({ message: 'm', invented: 'material' }, { executed: true, verdict: 'modified' });
    t.pitched({ message: 'm', invented: 'delivery' }, { executed: true, verdict: 'allow' });
    t.pitched({ message: 'm' }, { executed: true, verdict: 'allow' });
    t.pitched({ message: 'm' }, { executed: false, by: 'retail.shopping.in-stock' });
    expect(t.pitches).toBe(6);
    expect(t.invented).toEqual({ invented: 4, caught: 3, letThrough: 1 });
    expect(t.byKind.delivery).toEqual({ invented: 1, caught: 0, letThrough: 1 });
    expect(t.byKind.stock).toEqual({ invented: 1, caught: 1, letThrough: 0 });
    expect(t.caughtBy).toEqual({
      'retail.knowledge.contradicted-facts': 1,
      'escalated to a reviewer': 1,
      'modified by policy': 1,
    });
    expect(t.heldBackCorrect).toBe(1);
  });

  it('sums the claims the decisions recorded, per verdict and kind, and the policies that fired on them', () => {
    const c = claimsChecked([
      {
        kbVersion: 2,
        omitted: 0,
        claims: [claim('SUPPORTED', 'price'), claim('CONTRADICTED', 'material', true)],
      },
      undefined,
      { kbVersion: 2, omitted: 3, claims: [claim('CONTRADICTED', 'price', true)] },
    ]);
    expect(c.decisions).toBe(2);
    expect(c.claims).toBe(6);
    expect(c.byVerdict).toEqual({ SUPPORTED: 1, CONTRADICTED: 2, STALE: 0, UNVERIFIABLE: 0 });
    expect(c.byKind).toEqual({ price: { checked: 2, flagged: 1 }, material: { checked: 1, flagged: 1 } });
    expect(c.firedBy).toEqual({ 'retail.knowledge.contradicted-facts': 2 });
  });

  it('prints the section in the terminal and the HTML report with the run’s numbers', () => {
    const t = new GroundingTally();
    t.pitched(
      { message: 'm', invented: 'price' },
      { executed: false, by: 'retail.knowledge.contradicted-facts' },
    );
    const section = {
      kbVersion: 3,
      products: 2400,
      pitches: t.pitches,
      byKind: t.byKind,
      caughtBy: t.caughtBy,
      heldBackCorrect: 0,
      checked: claimsChecked([{ kbVersion: 3, omitted: 0, claims: [claim('CONTRADICTED', 'price', true)] }]),
    };
    const text = groundingLines(section).join('\n');
    expect(text).toContain('knowledge v3 (2400 products)');
    expect(text).toContain('1 pitches, 1 with an invented claim: 1 caught, 0 let through');
    expect(text).toMatch(/price\s+1\s+1\s+0/);
    expect(text).toContain('checked 1 claims in 1 decisions: 0 supported, 1 contradicted');
    const html = groundingHtml(
      section,
      String,
      (h, b) => `${h.join('|')}\n${b.map((r) => r.join('|')).join('\n')}`,
    );
    expect(html).toContain('<h2>Grounding: pitches against approved knowledge</h2>');
    expect(html).toContain('price|1|1|0');
  });
});
