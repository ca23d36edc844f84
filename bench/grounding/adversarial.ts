import type { Verdict } from '@agentops/knowledge';

/**
 * Hand-written hard cases over the unit tests' knowledge base (libs/knowledge/src/testing), kept
 * apart from the generated corpus: phrasing no template produces — contrast, coordination,
 * hedging, obfuscation, numbers that are not prices. Cases the checker gets wrong stay here and
 * are counted, so the bench reports them instead of the corpus hiding them.
 * Each expectation names the exact claim text and the verdict a careful reviewer would give
 * (`none`: nothing there should be judged at all).
 */
export interface AdversarialCase {
  text: string;
  sku?: string;
  expect: [claim: string, verdict: Verdict | 'none'][];
}

export const ADVERSARIAL: AdversarialCase[] = [
  {
    text: 'The Aurore Tote 28 is not 100 % cashmere, it is calfskin.',
    expect: [['100 % cashmere', 'SUPPORTED']],
  },
  {
    text: 'Is the Céleste Scarf 100% cashmere? No: 90 % cashmere and 10 % silk.',
    expect: [
      ['100% cashmere', 'none'],
      ['90 % cashmere', 'SUPPORTED'],
      ['10 % silk', 'SUPPORTED'],
    ],
  },
  {
    text: 'Orders over €500 ship free. The Céleste Scarf is €890.',
    expect: [
      ['€500', 'none'],
      ['€890', 'SUPPORTED'],
    ],
  },
  {
    text: 'Delivery costs €25 and the Céleste Scarf is €890.',
    expect: [
      ['€25', 'none'],
      ['€890', 'SUPPORTED'],
    ],
  },
  {
    text: 'The CÉLESTE-SCARF is 90%cashmere, 10%silk.',
    expect: [
      ['90%cashmere', 'SUPPORTED'],
      ['10%silk', 'SUPPORTED'],
    ],
  },
  {
    text: 'The Céleste Scarf pairs with our Lune Bracelet, which is 14k gold.',
    expect: [['14k gold', 'CONTRADICTED']],
  },
  {
    text: 'The Céleste Scarf is €890 — was it €1,000 last year? No.',
    expect: [
      ['€890', 'SUPPORTED'],
      ['was it €1,000', 'none'],
    ],
  },
  {
    text: 'Returns: 30 days. Delivery: 2-4 business days with standard delivery.',
    expect: [
      ['Returns: 30 days', 'SUPPORTED'],
      ['Delivery: 2-4 business days', 'SUPPORTED'],
    ],
  },
  { text: 'Only 3 left of the Céleste Scarf!', expect: [['Only 3 left', 'SUPPORTED']] },
  {
    text: "We don't price match, but the Céleste Scarf is €890.",
    expect: [
      ["don't price match", 'SUPPORTED'],
      ['€890', 'SUPPORTED'],
    ],
  },
  {
    text: 'The Lune Bracelet, 18 kt rose gold, one of only 250.',
    expect: [['18 kt rose gold', 'SUPPORTED']],
  },
  {
    text: 'celeste scarf — EUR 890,00 — made in italy',
    expect: [
      ['EUR 890,00', 'SUPPORTED'],
      ['made in italy', 'SUPPORTED'],
    ],
  },
  {
    text: 'The Aurore Tote 28 (was €2,150, now €1,935) is crafted from calfskin.',
    expect: [
      ['was €2,150', 'SUPPORTED'],
      ['€1,935', 'SUPPORTED'],
      ['crafted from calfskin', 'SUPPORTED'],
    ],
  },
  {
    text: 'Express delivery: tomorrow. Standard delivery: Monday.',
    expect: [['delivery: tomorrow', 'SUPPORTED']],
  },
  {
    text: 'It comes with a 2 year warranty and free returns for 30 days.',
    sku: 'MD-SCA-00001',
    expect: [
      ['2 year warranty', 'SUPPORTED'],
      ['free returns for 30 days', 'SUPPORTED'],
    ],
  },
  {
    text: 'Guaranteed authentic, the Céleste Scarf is a true investment piece.',
    expect: [['investment piece', 'UNVERIFIABLE']],
  },
  // Known limitations: contrast, coordination, obfuscated digits, vague quantities.
  { text: 'Unlike bags made of nylon, the Aurore Tote 28 is calfskin.', expect: [['made of nylon', 'none']] },
  {
    text: 'The Céleste Scarf and the Aurore Tote 28 are both made in Italy.',
    expect: [['made in Italy', 'CONTRADICTED']],
  },
  {
    text: 'The Céleste Scarf and the Lune Bracelet are both made in Italy.',
    expect: [['made in Italy', 'CONTRADICTED']],
  },
  { text: 'Our Céleste Scarf is 1OO % cashmere.', expect: [['1OO % cashmere', 'CONTRADICTED']] },
  {
    text: 'Only 3 left of the Céleste Scarf, and 120 of the Aurore Tote 28.',
    expect: [
      ['Only 3 left', 'SUPPORTED'],
      ['120', 'SUPPORTED'],
    ],
  },
  { text: 'The Céleste Scarf is nine hundred euros.', expect: [['nine hundred euros', 'CONTRADICTED']] },
  { text: 'The Céleste Scarf is cashmere-rich.', expect: [['cashmere-rich', 'SUPPORTED']] },
];
