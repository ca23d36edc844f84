import { KnowledgeDocument } from '../knowledge-base';
import { MAISON_DOC } from '../testing/maison-knowledge';
import { parseCsv } from './csv';
import { checkRemovals, diffKnowledge } from './diff';
import { formatProblem, parseKnowledgeImport } from './parse-import';

const base = KnowledgeDocument.parse(MAISON_DOC);
const HEADER =
  'sku,name,aliases,price,currency,compareAtPrice,stock,materials,originCountry,originCity,limitedEdition';

describe('imports', () => {
  it('reads a product CSV into the model, keeping the rest of the document', () => {
    const csv = `${HEADER}\nMD-1,"Céleste Scarf, navy",Celeste stole|The Céleste,890,EUR,,3,"90% cashmere; 10% silk",IT,biella,\nMD-2,Lune Bracelet,,4200,EUR,4800,0,18k rose gold; diamond,CH,,250\n`;
    const r = parseKnowledgeImport(csv, 'csv', { base, asOf: '2026-12-01T10:00:00Z' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.document.products).toEqual([
      expect.objectContaining({
        sku: 'MD-1',
        name: 'Céleste Scarf, navy',
        aliases: ['Celeste stole', 'The Céleste'],
        stock: 3,
        materials: [
          { material: 'cashmere', percent: 90 },
          { material: 'silk', percent: 10 },
        ],
        origin: { country: 'IT', city: 'biella' },
      }),
      expect.objectContaining({
        sku: 'MD-2',
        compareAtPrice: 4800,
        materials: [{ material: 'gold', karat: 18, tint: 'rose' }, { material: 'diamond' }],
        limitedEdition: { total: 250 },
      }),
    ]);
    expect(r.document.policies).toEqual(base.policies);
  });

  it('names the row (the CSV line) and the field of every problem, and applies nothing', () => {
    const csv = `${HEADER}\nMD-1,Scarf,,890,EUR,,3,,IT,,\nMD-2,Tote,,abc,EUR,,2,,IT,,\nMD-3,Ring,,100,EUR,,-1,80% cashmere; 40% silk,ITA,,\nMD-1,Again,,5,EUR,,1,,IT,,\n`;
    const r = parseKnowledgeImport(csv, 'csv', { asOf: '2026-12-01T10:00:00Z' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^products row 3 \(sku MD-2\), field price\.amount: /),
        expect.stringMatching(/^products row 4 \(sku MD-3\), field stock: /),
        expect.stringMatching(/^products row 4 \(sku MD-3\), field materials: percentages add up to 120/),
        expect.stringMatching(/^products row 4 \(sku MD-3\), field origin\.country: .*alpha-2/),
        expect.stringMatching(/^products row 5 \(sku MD-1\), field sku: duplicate SKU \(first at row 2\)/),
      ]),
    );
  });

  it('refuses unknown columns and malformed CSV by line', () => {
    const unknown = parseKnowledgeImport('sku,name,price,currency,colour\n', 'csv', {
      asOf: '2026-12-01T10:00:00Z',
    });
    expect(!unknown.ok && unknown.problems[0]).toMatchObject({ row: 1, field: 'colour' });
    const open = parseKnowledgeImport(`${HEADER}\nMD-1,"Scarf,,890\n`, 'csv', {
      asOf: '2026-12-01T10:00:00Z',
    });
    expect(!open.ok && open.problems[0]).toMatchObject({ row: 2, message: 'a quoted field is not closed' });
  });

  it('validates JSON and YAML documents with the same row/field problems', () => {
    const json = JSON.stringify({
      ...MAISON_DOC,
      products: [
        {
          sku: 'X',
          name: 'Y',
          price: { amount: 1, currency: 'XYZ' },
          materials: [{ material: 'unobtainium' }],
        },
      ],
    });
    const r = parseKnowledgeImport(json, 'json');
    expect(!r.ok && r.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^products row 1 \(sku X\), field price\.currency: /),
      expect.stringMatching(/^products row 1 \(sku X\), field materials\.0\.material: not a known material/),
    ]);
    const yaml = parseKnowledgeImport(
      'asOf: 2026-12-01T10:00:00Z\npolicies:\n  returns: { windowDays: -3, free: true }\n',
      'yaml',
    );
    expect(!yaml.ok && yaml.problems[0]).toMatchObject({ section: 'policies', field: 'returns.windowDays' });
    expect(parseKnowledgeImport('asOf: [unclosed', 'yaml').ok).toBe(false);
    expect(parseKnowledgeImport('{"asOf": ', 'json').ok).toBe(false);
  });

  it('refuses YAML alias bombs and oversized imports without expanding them', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(',')}]`,
      ),
    ].join('\n');
    expect(parseKnowledgeImport(bomb, 'yaml').ok).toBe(false);
    expect(parseKnowledgeImport('x'.repeat(101), 'json', { maxBytes: 100 })).toEqual({
      ok: false,
      problems: [expect.objectContaining({ message: 'over the 100-byte import limit' })],
    });
  });

  it('parses quoted CSV cells with commas, doubled quotes and CRLF', () => {
    expect(parseCsv('a,"b,""c""",d\r\n"multi\nline",2,3\r\n')).toEqual({
      ok: true,
      records: [
        { line: 1, cells: ['a', 'b,"c"', 'd'] },
        { line: 2, cells: ['multi\nline', '2', '3'] },
      ],
    });
  });
});

describe('versions', () => {
  const next = KnowledgeDocument.parse({
    ...MAISON_DOC,
    products: [
      {
        ...MAISON_DOC.products![0],
        price: { amount: 950, currency: 'EUR' },
        asOf: { price: '2026-12-01T10:05:00Z' },
      },
      ...MAISON_DOC.products!.slice(1, 3),
      { sku: 'MD-NEW-1', name: 'Nouvelle Bag', price: { amount: 100, currency: 'EUR' } },
    ],
    policies: { ...MAISON_DOC.policies, returns: { windowDays: 14, free: true } },
  });

  it('diffs two versions by SKU and field, ignoring read times', () => {
    const d = diffKnowledge(base, next);
    expect(d.products.added).toEqual(['MD-NEW-1']);
    expect(d.products.removed).toEqual(['MD-WAT-00004']);
    expect(d.products.changed).toEqual([
      {
        id: 'MD-SCA-00001',
        changes: [
          {
            field: 'price',
            before: { amount: 890, currency: 'EUR' },
            after: { amount: 950, currency: 'EUR' },
          },
        ],
      },
    ]);
    expect(d.policies).toEqual([
      { field: 'returns', before: { windowDays: 30, free: true }, after: { windowDays: 14, free: true } },
    ]);
    expect(d.summary).toBe('products +1 −1 ~1; policies ~1');
    expect(diffKnowledge(base, base).empty).toBe(true);
  });

  it('needs force to remove more than 20 % of the products', () => {
    expect(checkRemovals(base, next)).toEqual({
      ok: false,
      removed: 1,
      share: 0.25,
      reason: expect.stringContaining('removes 1 of 4 products (25 %'),
    });
    expect(checkRemovals(base, next, { force: true })).toEqual({ ok: true, removed: 1, share: 0.25 });
    expect(checkRemovals(base, { ...next, products: [...next.products, base.products[3]] }).ok).toBe(true);
    expect(checkRemovals(undefined, next).ok).toBe(true);
  });
});
