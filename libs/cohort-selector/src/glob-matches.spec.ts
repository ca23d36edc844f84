import { globMatches } from './cohort-selector';

/** The matcher this one replaced (`*` compiled to `.*`): same answers, exponential on some patterns. */
function regexGlob(pattern: string, value: string): boolean {
  const escaped = pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(value);
}

/** Every string over `alphabet` of length 0..maxLength. */
function allStrings(alphabet: string[], maxLength: number): string[] {
  const out = [''];
  let layer = [''];
  for (let n = 1; n <= maxLength; n++) {
    layer = layer.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...layer);
  }
  return out;
}

describe('globMatches', () => {
  it('answers as the regex matcher did on the platform’s patterns', () => {
    const patterns = [
      'pricing.*',
      'inventory.*',
      'service.*',
      'shopping.*',
      '*.issue_refund',
      '*',
      'service.issue_refund',
      'pricing.set_*',
      '*refund*',
      'tenant-*',
      'SKU-FLAG-*',
      '*.*',
      'a**b',
    ];
    const values = [
      'pricing.set_price',
      'pricingXset',
      'pricing.',
      'pricing',
      'service.issue_refund',
      'service.issue_refund_v2',
      'inventory.create_purchase_order',
      'shopping.recommend',
      'tenant-a',
      'tenant',
      'SKU-FLAG-1',
      'ab',
      'a',
      '',
    ];
    for (const p of patterns)
      for (const v of values) expect([p, v, globMatches(p, v)]).toEqual([p, v, regexGlob(p, v)]);
  });

  it('answers as the regex matcher did on every small pattern and value', () => {
    // Exhaustive over a small alphabet: repeated letters, stars next to each other and to the ends.
    const patterns = allStrings(['a', 'b', '.', '*'], 4);
    const values = allStrings(['a', 'b', '.'], 5);
    let disagreements = 0;
    for (const p of patterns)
      for (const v of values) if (globMatches(p, v) !== regexGlob(p, v)) disagreements++;
    expect(disagreements).toBe(0);
  });

  it('decides the pathological patterns (a regex took seconds on them)', () => {
    const action = `${'a'.repeat(80)}c`; // 81 characters, no b: every placement fails
    expect(globMatches('*a*a*a*a*a*b', action)).toBe(false);
    expect(globMatches('*a*a*a*a*a*a*b', action)).toBe(false);
    expect(globMatches('*a*a*a*a*a*c', action)).toBe(true);
    expect(globMatches('*a*a*a*a*a*a*', 'aaaaa')).toBe(false);
    expect(globMatches('*a*a*a*a*a*a*', 'aaaaaa')).toBe(true);
  });
});
