import { compileKnowledge, CompiledKnowledge } from '../compile';
import { KnowledgeDocument, KnowledgeDocumentInput } from '../knowledge-base';

/** A small hand-written knowledge base for unit tests (not the bench corpus). */
export const MAISON_NOW = Date.parse('2026-12-01T10:00:00Z'); // a Tuesday

export const MAISON_DOC: KnowledgeDocumentInput = {
  asOf: '2026-12-01T09:59:30Z',
  products: [
    {
      sku: 'MD-SCA-00001',
      name: 'Céleste Scarf',
      aliases: ['Celeste stole'],
      brand: 'Maison Demo',
      category: 'accessories',
      price: { amount: 890, currency: 'EUR' },
      otherPrices: [{ amount: 950, currency: 'CHF' }],
      stock: 3,
      materials: [
        { material: 'cashmere', percent: 90 },
        { material: 'silk', percent: 10 },
      ],
      origin: { country: 'IT', city: 'biella' },
      colours: ['navy', 'camel'],
    },
    {
      sku: 'MD-BAG-00002',
      name: 'Aurore Tote 28',
      aliases: ['Aurore 28'],
      brand: 'Maison Demo',
      category: 'bags',
      price: { amount: 1935, currency: 'EUR' },
      compareAtPrice: 2150,
      stock: 120,
      materials: [{ material: 'calfskin', percent: 100 }],
      origin: { country: 'FR', city: 'lyon' },
    },
    {
      sku: 'MD-JEW-00003',
      name: 'Lune Bracelet',
      brand: 'Atelier Temps',
      price: { amount: 4200, currency: 'EUR' },
      stock: 0,
      materials: [{ material: 'gold', karat: 18, tint: 'rose' }, { material: 'diamond' }],
      origin: { country: 'CH' },
      limitedEdition: { total: 250 },
    },
    {
      sku: 'MD-WAT-00004',
      name: 'Orbe Chronograph',
      price: { amount: 12500, currency: 'EUR' },
      stock: 7,
      asOf: { stock: '2026-12-01T09:50:00Z', price: '2026-12-01T09:59:00Z' },
      materials: [{ material: 'steel' }],
    },
  ],
  policies: {
    returns: { windowDays: 30, free: true },
    delivery: [
      { region: 'EU', tier: 'standard', minDays: 2, maxDays: 4, businessDays: true, free: true },
      { region: 'EU', tier: 'express', minDays: 1, maxDays: 1, businessDays: true, free: false },
      { region: '*', tier: 'standard', minDays: 5, maxDays: 10, businessDays: true, free: false },
    ],
    warranty: { months: 24 },
    priceMatch: { enabled: false },
  },
  copy: [
    {
      id: 'winter-sale',
      campaign: 'winter',
      text: 'Dear {name}, the finest cashmere of the season is here.',
      validFrom: '2026-11-15T00:00:00Z',
      validTo: '2026-12-31T23:59:59Z',
    },
    {
      id: 'autumn-teaser',
      campaign: 'autumn',
      text: 'Our most iconic tote, reimagined for autumn.',
      validTo: '2026-11-01T00:00:00Z',
    },
  ],
  approvedClaims: [
    { id: 'repair', text: 'comes with a lifetime repair service that keeps its resale value' },
  ],
  voice: {
    bannedWords: [
      { term: 'cheap', action: 'deny' },
      { term: 'knock-off', action: 'redact', replacement: 'alternative' },
    ],
    requiredTerms: [{ term: 'Maison Demo', campaigns: ['winter'] }],
  },
};

export function maisonKnowledge(kbVersion = 7): CompiledKnowledge {
  return compileKnowledge({
    tenantId: 'maison-demo',
    kbVersion,
    document: KnowledgeDocument.parse(MAISON_DOC),
  });
}
