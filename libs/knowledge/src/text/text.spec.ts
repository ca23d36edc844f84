import { normalizeText, sourceSpan, squash } from './normalize';
import { PatternMatcher } from './pattern-matcher';
import { tokenize } from './tokenize';

describe('normalizeText', () => {
  it('folds case, accents, ligatures, spaces and hyphens, mapping every character back to the source', () => {
    const src = 'CÉLESTE\u00a0\u00a0Œuvre – 18k ﬁne';
    const n = normalizeText(src);
    expect(n.text).toBe('celeste oeuvre - 18k fine');
    const at = n.text.indexOf('oeuvre');
    expect(src.slice(sourceSpan(n, at, at + 6).start, sourceSpan(n, at, at + 6).end)).toBe('Œuvre');
    expect(squash('Hermès-28 ')).toBe('hermes28');
  });

  it('keeps astral characters as one source unit', () => {
    const src = 'bag 👜 €10';
    const n = normalizeText(src);
    const euro = n.text.indexOf('€');
    expect(src.slice(n.from[euro], n.to[euro])).toBe('€');
  });
});

describe('tokenize', () => {
  const values = (s: string) =>
    tokenize(normalizeText(s))
      .filter((t) => t.kind === 'number')
      .map((t) => t.value);
  it.each([
    ['€2,150', [2150]],
    ['2.150 €', [2150]],
    ['1.250,50 €', [1250.5]],
    ['€2,150.00', [2150]],
    ['€ 1 250', [1250]],
    ['1 250 EUR', [1250]],
    ["CHF 1'950", [1950]],
    ['size 38 100% silk', [38, 100]],
    ['2.5 %', [2.5]],
  ])('%s → %j', (s, expected) => expect(values(s)).toEqual(expected));
});

describe('PatternMatcher', () => {
  const m = new PatternMatcher<string>([
    ['Céline', 'celine'],
    ['Aurore Tote', 'tote'],
    ['Aurore Tote 28', 'tote28'],
    ['Hermès', 'hermes'],
  ]);
  const find = (s: string) => {
    const n = normalizeText(s);
    return m.findIn(n.text, tokenize(n)).map((x) => x.values.join());
  };
  it('matches across case, accents, spacing and hyphens, on token boundaries, leftmost-longest', () => {
    expect(find('HER MES and hermès and her-mes')).toEqual(['hermes', 'hermes', 'hermes']);
    expect(find('Marceline is not Céline')).toEqual(['celine']);
    expect(find('the aurore tote 28 and the Aurore-Tote')).toEqual(['tote28', 'tote']);
    expect(find('Aurore. Tote')).toEqual([]); // never across a sentence
  });
});
