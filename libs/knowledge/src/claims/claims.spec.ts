import { checkText, GroundingReport } from '../check';
import { maisonKnowledge, MAISON_NOW } from '../testing/maison-knowledge';
import { Verdict } from './verify';

const kb = maisonKnowledge(7);

function check(
  text: string,
  ctx: { sku?: string; region?: string; tier?: string; now?: number } = {},
): GroundingReport {
  const r = checkText(kb, text, { now: MAISON_NOW, region: 'EU', ...ctx });
  if (!r.ok) throw new Error(r.reason);
  return r;
}

/** The verdict of the one claim of `kind` in the text, with its citation. */
function only(text: string, kind: string, ctx?: Parameters<typeof check>[1]) {
  const found = check(text, ctx).verdicts.filter((v) => v.claim.kind === kind);
  if (found.length !== 1)
    throw new Error(
      `expected one ${kind} claim in "${text}", found ${found.length}: ${JSON.stringify(found.map((f) => f.claim.text))}`,
    );
  return found[0];
}

type Case = [text: string, kind: string, verdict: Verdict, record: string, field: string];

const SCARF = 'product/MD-SCA-00001';
const TOTE = 'product/MD-BAG-00002';
const BRACELET = 'product/MD-JEW-00003';

describe('claims: each extractor with paraphrases that stay SUPPORTED and near-misses that are CONTRADICTED', () => {
  const cases: Case[] = [
    // money with currency
    ['The Céleste Scarf is €890.', 'price', 'SUPPORTED', SCARF, 'price'],
    ['The celeste scarf costs 890 euros.', 'price', 'SUPPORTED', SCARF, 'price'],
    ['CÉLESTE  SCARF: EUR 890.00', 'price', 'SUPPORTED', SCARF, 'price'],
    ['The Celeste stole comes to CHF 950.', 'price', 'SUPPORTED', SCARF, 'otherPrices'],
    ['The Céleste Scarf is €980.', 'price', 'CONTRADICTED', SCARF, 'price'],
    ['The Céleste Scarf is CHF 905.', 'price', 'CONTRADICTED', SCARF, 'otherPrices'],
    ['The Aurore Tote 28 is 1.935 €.', 'price', 'SUPPORTED', TOTE, 'price'],
    ['The Aurore Tote 28 is € 1 935.', 'price', 'SUPPORTED', TOTE, 'price'],
    ['The Aurore Tote 28 was €2,150.', 'price', 'SUPPORTED', TOTE, 'compareAtPrice'],
    ['The Aurore Tote 28 is €2,150.', 'price', 'CONTRADICTED', TOTE, 'price'],
    ['The Céleste Scarf was €1,200.', 'price', 'CONTRADICTED', SCARF, 'compareAtPrice'],
    // discounts derived from two prices
    ['The Aurore Tote 28 is 10% off.', 'discount', 'SUPPORTED', TOTE, 'price,compareAtPrice'],
    ['Aurore 28: save 10 per cent this week.', 'discount', 'SUPPORTED', TOTE, 'price,compareAtPrice'],
    ['The Aurore Tote 28 is €215 off.', 'discount', 'SUPPORTED', TOTE, 'price,compareAtPrice'],
    ['The Aurore Tote 28 is 20 % off.', 'discount', 'CONTRADICTED', TOTE, 'price,compareAtPrice'],
    ['The Céleste Scarf is 15% off.', 'discount', 'CONTRADICTED', SCARF, 'compareAtPrice'],
    // stock and availability
    ['The Céleste Scarf: only 3 left.', 'stock', 'SUPPORTED', SCARF, 'stock'],
    ['We have three left of the Céleste Scarf.', 'stock', 'SUPPORTED', SCARF, 'stock'],
    ['The Céleste Scarf is in stock.', 'stock', 'SUPPORTED', SCARF, 'stock'],
    ['The Céleste Scarf: only a few left.', 'stock', 'SUPPORTED', SCARF, 'stock'],
    ['The Céleste Scarf: only 2 left.', 'stock', 'CONTRADICTED', SCARF, 'stock'],
    ['The Céleste Scarf is sold out.', 'stock', 'CONTRADICTED', SCARF, 'stock'],
    ['The Lune Bracelet is currently unavailable.', 'stock', 'SUPPORTED', BRACELET, 'stock'],
    ['The Lune Bracelet is available now.', 'stock', 'CONTRADICTED', BRACELET, 'stock'],
    ['The Aurore Tote 28 is the last one.', 'stock', 'CONTRADICTED', TOTE, 'stock'],
    // limited editions
    [
      'The Lune Bracelet is one of only 250 made.',
      'limited-edition',
      'SUPPORTED',
      BRACELET,
      'limitedEdition',
    ],
    [
      'The Lune Bracelet is limited to 250 pieces.',
      'limited-edition',
      'SUPPORTED',
      BRACELET,
      'limitedEdition',
    ],
    [
      'The Lune Bracelet is limited to 100 pieces.',
      'limited-edition',
      'CONTRADICTED',
      BRACELET,
      'limitedEdition',
    ],
    // materials and composition
    ['The Céleste Scarf is 90 % cashmere.', 'material', 'SUPPORTED', SCARF, 'materials'],
    ['The Céleste Scarf is woven from cashmere.', 'material', 'SUPPORTED', SCARF, 'materials'],
    ['The Céleste Scarf is 100 % cashmere.', 'material', 'CONTRADICTED', SCARF, 'materials'],
    ['The Céleste Scarf is made from pure cashmere.', 'material', 'CONTRADICTED', SCARF, 'materials'],
    ['The Céleste Scarf is made of wool.', 'material', 'CONTRADICTED', SCARF, 'materials'],
    ['The Aurore Tote 28 is crafted in fine leather.', 'material', 'SUPPORTED', TOTE, 'materials'],
    ['The Aurore Tote 28 is 100% calfskin.', 'material', 'SUPPORTED', TOTE, 'materials'],
    ['The Aurore Tote 28 is made of lambskin.', 'material', 'CONTRADICTED', TOTE, 'materials'],
    ['The Lune Bracelet is 18k rose gold.', 'material', 'SUPPORTED', BRACELET, 'materials'],
    ['The Lune Bracelet is 18-carat pink gold.', 'material', 'SUPPORTED', BRACELET, 'materials'],
    ['The Lune Bracelet is 14k rose gold.', 'material', 'CONTRADICTED', BRACELET, 'materials'],
    ['The Lune Bracelet is in white gold.', 'material', 'CONTRADICTED', BRACELET, 'materials'],
    // origin
    ['The Céleste Scarf is made in Italy.', 'origin', 'SUPPORTED', SCARF, 'origin'],
    ['The Céleste Scarf is Italian-made.', 'origin', 'SUPPORTED', SCARF, 'origin'],
    ['The Céleste Scarf is handmade in Biella.', 'origin', 'SUPPORTED', SCARF, 'origin'],
    ['The Céleste Scarf is made in France.', 'origin', 'CONTRADICTED', SCARF, 'origin'],
    ['The Céleste Scarf is handmade in Como.', 'origin', 'CONTRADICTED', SCARF, 'origin'],
    ['The Aurore Tote 28 comes from our Lyon atelier.', 'origin', 'SUPPORTED', TOTE, 'origin'],
    ['The Lune Bracelet is Swiss made.', 'origin', 'SUPPORTED', BRACELET, 'origin'],
    // service policies: delivery, returns, warranty, price match (EU, Tuesday 10:00 UTC)
    [
      'Standard delivery takes 2-4 business days.',
      'delivery',
      'SUPPORTED',
      'policy/delivery/EU/standard',
      'maxDays',
    ],
    [
      'Standard delivery arrives by Monday.',
      'delivery',
      'SUPPORTED',
      'policy/delivery/EU/standard',
      'maxDays',
    ],
    [
      'Standard delivery arrives within 2 business days.',
      'delivery',
      'CONTRADICTED',
      'policy/delivery/EU/standard',
      'maxDays',
    ],
    [
      'With standard delivery it arrives tomorrow.',
      'delivery',
      'CONTRADICTED',
      'policy/delivery/EU/standard',
      'maxDays',
    ],
    [
      'With express delivery it arrives tomorrow.',
      'delivery',
      'SUPPORTED',
      'policy/delivery/EU/express',
      'maxDays',
    ],
    [
      'Complimentary standard delivery, of course.',
      'delivery',
      'SUPPORTED',
      'policy/delivery/EU/standard',
      'free',
    ],
    ['Free express delivery, of course.', 'delivery', 'CONTRADICTED', 'policy/delivery/EU/express', 'free'],
    ['We offer free returns within 30 days.', 'returns', 'SUPPORTED', 'policy/returns', 'windowDays'],
    ['You can return it within thirty days.', 'returns', 'SUPPORTED', 'policy/returns', 'windowDays'],
    ['Enjoy 30-day free returns.', 'returns', 'SUPPORTED', 'policy/returns', 'windowDays'],
    ['We offer free returns within 60 days.', 'returns', 'CONTRADICTED', 'policy/returns', 'windowDays'],
    ['It comes with a two-year warranty.', 'warranty', 'SUPPORTED', 'policy/warranty', 'months'],
    ['It is guaranteed for 24 months.', 'warranty', 'SUPPORTED', 'policy/warranty', 'months'],
    ['It comes with a lifetime warranty.', 'warranty', 'CONTRADICTED', 'policy/warranty', 'months'],
    ['We will match any lower price.', 'price-match', 'CONTRADICTED', 'policy/price-match', 'enabled'],
    ["Please note we don't price match.", 'price-match', 'SUPPORTED', 'policy/price-match', 'enabled'],
    // guarantees and superlatives: only approved wording is supported
    [
      'It comes with a lifetime repair service that keeps its resale value.',
      'guarantee',
      'SUPPORTED',
      'approved-claim/repair',
      'text',
    ],
    ['It will appreciate in value.', 'guarantee', 'UNVERIFIABLE', '', ''],
    ['It is the finest scarf in the world.', 'superlative', 'UNVERIFIABLE', '', ''],
  ];

  test.each(cases)('%s → %s %s', (text, kind, verdict, record, field) => {
    const v = only(text, kind);
    expect(v.verdict).toBe(verdict);
    expect(v.reason.length).toBeGreaterThan(0);
    if (record) expect(v.citation).toMatchObject({ record, field, kbVersion: 7 });
    else expect(v.citation).toBeUndefined();
  });

  it('cites the span of the original text, accents and odd spaces included', () => {
    const text = 'La CÉLESTE\u00a0SCARF est 100\u202f% cashmere.';
    const r = check(text);
    const product = r.verdicts.find((v) => v.claim.kind === 'product')!;
    const material = r.verdicts.find((v) => v.claim.kind === 'material')!;
    expect(text.slice(product.claim.start, product.claim.end)).toBe('CÉLESTE\u00a0SCARF');
    expect(text.slice(material.claim.start, material.claim.end)).toBe('100\u202f% cashmere');
    expect(material.verdict).toBe('CONTRADICTED');
    expect(material.reason).toContain('90 % cashmere, 10 % silk'); // the correct fact, for the deny reason
  });
});

describe('claims: subjects, staleness and what cannot be checked', () => {
  it('attaches each claim to the product named before it', () => {
    const r = check(
      'The Céleste Scarf is €890 and the Aurore Tote 28 is €1,935; the Lune Bracelet is €4,200.',
    );
    const prices = r.verdicts.filter((v) => v.claim.kind === 'price');
    expect(prices.map((p) => [p.claim.subject, p.verdict])).toEqual([
      ['MD-SCA-00001', 'SUPPORTED'],
      ['MD-BAG-00002', 'SUPPORTED'],
      ['MD-JEW-00003', 'SUPPORTED'],
    ]);
  });

  it("falls back to the intent's SKU when the message names no product", () => {
    expect(only('It is only 3 left, at €890.', 'stock', { sku: 'MD-SCA-00001' }).verdict).toBe('SUPPORTED');
    expect(only('It is only 3 left.', 'stock').verdict).toBe('UNVERIFIABLE');
  });

  it('is STALE when the fact is older than its data class allows, citing when it was read', () => {
    const v = only('The Orbe Chronograph has 7 units on hand.', 'stock');
    expect(v.verdict).toBe('STALE');
    expect(v.citation).toMatchObject({
      record: 'product/MD-WAT-00004',
      field: 'stock',
      kbVersion: 7,
      asOf: '2026-12-01T09:50:00Z',
    });
    // The price was read 60 s ago: within its 15-minute limit.
    expect(only('The Orbe Chronograph is €12,500.', 'price').verdict).toBe('SUPPORTED');
    // A contradicted fact that is stale is STALE too: the agent may be right and the KB behind.
    expect(only('The Orbe Chronograph has 2 units on hand.', 'stock').verdict).toBe('STALE');
  });

  it('an unknown product and what is said about it are UNVERIFIABLE, never SUPPORTED', () => {
    const r = check('The Zephyr Clutch is made of python and costs €3,100.');
    expect(r.verdicts.map((v) => [v.claim.kind, v.verdict])).toEqual([
      ['product', 'UNVERIFIABLE'],
      ['material', 'UNVERIFIABLE'],
      ['price', 'UNVERIFIABLE'],
    ]);
  });

  it('facts the KB does not record are UNVERIFIABLE (invented), not CONTRADICTED', () => {
    expect(only('The Orbe Chronograph is made in Switzerland.', 'origin').verdict).toBe('UNVERIFIABLE');
    expect(only('The Céleste Scarf is limited to 100 pieces.', 'limited-edition').verdict).toBe(
      'UNVERIFIABLE',
    );
    expect(only('The Lune Bracelet is handmade in Geneva.', 'origin').verdict).toBe('UNVERIFIABLE'); // no city recorded
  });

  it('resolves "tomorrow" and weekdays against now, in business days', () => {
    const friday = Date.parse('2026-12-04T10:00:00Z');
    // Friday → tomorrow is Saturday: no business day passes, express (1 day) cannot promise it.
    expect(only('With express delivery it arrives tomorrow.', 'delivery', { now: friday }).verdict).toBe(
      'CONTRADICTED',
    );
    expect(only('With express delivery it arrives on Monday.', 'delivery', { now: friday }).verdict).toBe(
      'SUPPORTED',
    );
  });

  it('uses the region of the intent, and the catch-all region elsewhere', () => {
    expect(
      only('Standard delivery takes 5-10 business days.', 'delivery', { region: 'JP' }).citation?.record,
    ).toBe('policy/delivery/*/standard');
    expect(only('Standard delivery takes 2-4 business days.', 'delivery', { region: 'JP' }).verdict).toBe(
      'CONTRADICTED',
    );
  });

  it('guarantees stay UNVERIFIABLE when the approved wording only appears elsewhere in the text', () => {
    const r = check('Our repair service is great. It holds its value.');
    expect(r.verdicts.find((v) => v.claim.kind === 'guarantee')?.verdict).toBe('UNVERIFIABLE');
  });
});

describe('claims: text that holds no claim', () => {
  it.each([
    'Your order number is 30412.',
    'Your appointment is on Friday at 11:00.',
    'I have reserved it in size 38 for 48 hours.',
    'It would pair beautifully with your navy coat.',
    'The courier will call 30 minutes before arrival.',
    'Marceline, thank you for visiting the boutique.',
  ])('%s', (text) => {
    expect(check(text).verdicts).toEqual([]);
  });
});

describe('the size cap', () => {
  it('refuses a text over the cap with a reason, before scanning it', () => {
    const r = checkText(kb, 'a'.repeat(8001), { now: MAISON_NOW });
    expect(r).toEqual({
      ok: false,
      code: 'text-too-long',
      reason: expect.stringContaining('8001 characters'),
    });
  });

  it('gets through hostile texts at the cap (digits, separators, cue words, names) with bounded output', () => {
    for (const hostile of [
      '1,'.repeat(4000),
      '€'.repeat(8000),
      'only '.repeat(1600),
      'made in '.repeat(1000),
      'Céleste Scarf '.repeat(570),
      `${'9'.repeat(7990)} %`,
      '- '.repeat(4000),
    ]) {
      const r = checkText(kb, hostile.slice(0, 8000), { now: MAISON_NOW });
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.verdicts.length).toBeLessThanOrEqual(hostile.length);
    }
  });
});

describe('adversarial fixtures (hand-written, not from the corpus generator)', () => {
  it.each<[string, string, Verdict | 'none']>([
    ['The Aurore Tote 28 is not 100 % cashmere, it is calfskin.', 'material:100 % cashmere', 'SUPPORTED'],
    ['The Aurore Tote 28 is not made in France.', 'origin:made in France', 'CONTRADICTED'],
    [
      'Is the Céleste Scarf 100% cashmere? No: 90 % cashmere and 10 % silk.',
      'material:100% cashmere',
      'none',
    ],
    [
      'Is the Céleste Scarf 100% cashmere? No: 90 % cashmere and 10 % silk.',
      'material:90 % cashmere',
      'SUPPORTED',
    ],
    ['Orders over €500 ship free. The Céleste Scarf is €890.', 'price:€500', 'none'],
    ['The Céleste Scarf (ref. MD-SCA-00001) is €890 incl. VAT.', 'price:€890', 'SUPPORTED'],
    ['The CÉLESTE-SCARF is 90%cashmere.', 'material:90%cashmere', 'SUPPORTED'],
    [
      'The Céleste Scarf pairs with our Lune Bracelet, which is 14k gold.',
      'material:14k gold',
      'CONTRADICTED',
    ],
    ['The Céleste Scarf is €890 — was it €1,000 last year? No.', 'price:was it €1,000', 'none'],
    [
      'Returns: 30 days. Delivery: 2-4 business days with standard delivery.',
      'returns:Returns: 30 days',
      'SUPPORTED',
    ],
    ['Delivery costs €25 and the Céleste Scarf is €890.', 'price:€25', 'none'],
    [
      'The Céleste Scarf is made in Italy; the Aurore Tote 28 is made in Italy too.',
      'origin:made in Italy',
      'SUPPORTED',
    ],
  ])('%s (%s → %s)', (text, which, verdict) => {
    const [kind, span] = which.split(/:(.*)/s);
    const v = check(text).verdicts.find((x) => x.claim.kind === kind && x.claim.text === span);
    if (verdict === 'none') expect(v).toBeUndefined();
    else expect(v?.verdict).toBe(verdict);
  });
});
