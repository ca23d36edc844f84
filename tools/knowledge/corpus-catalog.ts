import type { KnowledgeDocumentInput } from '@agentops/knowledge';
import { generateCatalog } from '../simulation/catalog';
import { Random } from '../simulation/random';

/**
 * The knowledge base of the grounding corpus: the simulation's catalog (SKUs, prices, stock)
 * dressed with names, aliases, composition, origin, colours, markdowns, limited editions and
 * read times — some of them too old, so that claims on them must come out STALE. Written from
 * scratch on purpose: the corpus shares no code with the checker it measures.
 */

export interface CorpusProduct {
  sku: string;
  name: string;
  alias?: string;
  model: string;
  category: string;
  price: number;
  compareAt?: number;
  discountPercent?: number;
  otherPrices: { currency: string; amount: number }[];
  stock: number;
  staleStock: boolean;
  stalePrice: boolean;
  /** Absent: the KB records no composition (claims about it are invented). */
  materials?: { material: string; percent?: number; karat?: number; tint?: string; words: string }[];
  origin?: { country: string; countryName: string; demonym: string; city?: string; cityName?: string };
  limited?: number;
  colours: string[];
}

const LINES = [
  'Aurore',
  'Céleste',
  'Élise',
  'Hélène',
  'Margaux',
  'Camille',
  'Odéon',
  'Solène',
  'Amélie',
  'Bérénice',
  'Capucine',
  'Daphné',
  'Éloïse',
  'Faustine',
  'Garance',
  'Honorine',
  'Iris',
  'Joséphine',
  'Léonie',
  'Mathilde',
  'Noémie',
  'Ondine',
  'Perrine',
  'Quitterie',
  'Roxane',
  'Séverine',
  'Thaïs',
  'Ursule',
  'Valentine',
  'Yvette',
  'Zélie',
  'Alizé',
  'Brume',
  'Cyprès',
  'Dune',
  'Écume',
  'Falaise',
  'Givre',
  'Horizon',
  'Île',
  'Jasmin',
  'Lagune',
  'Mistral',
  'Nacre',
  'Opale',
  'Prairie',
  'Rivage',
  'Sable',
  'Tilleul',
  'Vallon',
  'Zéphyr',
  'Ambre',
  'Bruyère',
  'Cèdre',
  'Dentelle',
  'Églantine',
  'Flore',
  'Glycine',
  'Hermine',
  'Ivoire',
  'Jade',
  'Lavande',
  'Mimosa',
  'Nuage',
  'Orée',
  'Pivoine',
  'Rosée',
  'Saphir',
  'Topaze',
  'Velours',
  'Azur',
  'Bohème',
  'Cerise',
  'Étoile',
  'Fougère',
  'Grenat',
  'Héloïse',
  'Indigo',
  'Lilas',
  'Myrtille',
  'Nénuphar',
  'Olive',
  'Perle',
  'Riviera',
  'Soie',
  'Tourmaline',
  'Vermeil',
  'Arcade',
  'Belvédère',
  'Carrousel',
  'Diadème',
  'Esplanade',
  'Fontaine',
  'Galerie',
  'Hameau',
  'Jardin',
  'Kiosque',
  'Lanterne',
  'Manoir',
  'Nocturne',
  'Orangerie',
  'Pavillon',
  'Quai',
  'Rotonde',
  'Salon',
  'Terrasse',
  'Vitrail',
  'Balcon',
  'Corniche',
  'Donjon',
  'Escale',
  'Frégate',
  'Goélette',
  'Havre',
  'Jetée',
  'Lagon',
  'Marée',
  'Navire',
  'Phare',
  'Récif',
  'Sillage',
  'Tempête',
  'Voilier',
  'Alcôve',
  'Boudoir',
  'Cabochon',
  'Dauphine',
  'Écrin',
  'Filigrane',
  'Guirlande',
  'Médaillon',
  'Nébuleuse',
  'Ovale',
  'Paravent',
  'Ruban',
  'Sérénade',
  'Tiare',
  'Valse',
  'Aquarelle',
  'Ballerine',
  'Cantate',
  'Duo',
  'Estampe',
  'Fresque',
  'Gavotte',
  'Harpe',
  'Lyre',
  'Menuet',
  'Octave',
  'Prélude',
  'Rondo',
  'Sonate',
  'Toccata',
];
/** Names that are not in the catalog, for invented products. */
export const INVENTED_LINES = [
  'Zéphyrine',
  'Orphée',
  'Calypso',
  'Minerve',
  'Pégase',
  'Andromède',
  'Cassiopée',
  'Électre',
  'Ariane',
  'Isolde',
];

export const MODELS: Record<string, string[]> = {
  bags: ['Tote', 'Clutch', 'Satchel', 'Hobo', 'Shopper', 'Pouch'],
  watches: ['Chronograph', 'Watch', 'Timepiece', 'Dress Watch', 'Diver Watch', 'Moonphase Watch'],
  accessories: ['Scarf', 'Stole', 'Belt', 'Wallet', 'Card Holder', 'Shawl'],
  shoes: ['Loafers', 'Pumps', 'Boots', 'Sneakers', 'Mules', 'Sandals'],
  'ready-to-wear': ['Coat', 'Blazer', 'Sweater', 'Cardigan', 'Dress', 'Shirt'],
  jewellery: ['Ring', 'Bracelet', 'Necklace', 'Earrings', 'Pendant', 'Brooch'],
};

interface MaterialChoice {
  parts: { material: string; percent?: number; karat?: number; tint?: string }[];
}
const COMPOSITIONS: Record<string, MaterialChoice[]> = {
  bags: [
    { parts: [{ material: 'calfskin', percent: 100 }] },
    { parts: [{ material: 'lambskin', percent: 100 }] },
    { parts: [{ material: 'crocodile', percent: 100 }] },
    {
      parts: [
        { material: 'canvas', percent: 70 },
        { material: 'calfskin', percent: 30 },
      ],
    },
    { parts: [{ material: 'goatskin', percent: 100 }] },
    { parts: [{ material: 'ostrich', percent: 100 }] },
  ],
  watches: [
    { parts: [{ material: 'steel' }] },
    { parts: [{ material: 'gold', karat: 18, tint: 'rose' }] },
    { parts: [{ material: 'gold', karat: 18, tint: 'yellow' }] },
    { parts: [{ material: 'gold', karat: 18, tint: 'white' }] },
    { parts: [{ material: 'titanium' }] },
    { parts: [{ material: 'ceramic' }, { material: 'steel' }] },
    { parts: [{ material: 'platinum' }] },
  ],
  accessories: [
    { parts: [{ material: 'cashmere', percent: 100 }] },
    {
      parts: [
        { material: 'cashmere', percent: 90 },
        { material: 'silk', percent: 10 },
      ],
    },
    { parts: [{ material: 'silk', percent: 100 }] },
    {
      parts: [
        { material: 'wool', percent: 70 },
        { material: 'cashmere', percent: 30 },
      ],
    },
    { parts: [{ material: 'calfskin', percent: 100 }] },
  ],
  shoes: [
    { parts: [{ material: 'calfskin', percent: 100 }] },
    { parts: [{ material: 'suede', percent: 100 }] },
    { parts: [{ material: 'lambskin', percent: 100 }] },
  ],
  'ready-to-wear': [
    { parts: [{ material: 'wool', percent: 100 }] },
    { parts: [{ material: 'cashmere', percent: 100 }] },
    { parts: [{ material: 'silk', percent: 100 }] },
    { parts: [{ material: 'cotton', percent: 100 }] },
    {
      parts: [
        { material: 'linen', percent: 55 },
        { material: 'cotton', percent: 45 },
      ],
    },
    {
      parts: [
        { material: 'wool', percent: 80 },
        { material: 'mohair', percent: 20 },
      ],
    },
  ],
  jewellery: [
    { parts: [{ material: 'gold', karat: 18, tint: 'yellow' }, { material: 'diamond' }] },
    { parts: [{ material: 'gold', karat: 18, tint: 'white' }, { material: 'sapphire' }] },
    { parts: [{ material: 'silver' }] },
    { parts: [{ material: 'platinum' }, { material: 'diamond' }] },
    { parts: [{ material: 'gold', karat: 18, tint: 'rose' }] },
  ],
};

export const ORIGINS: { country: string; name: string; demonym: string; cities: [string, string][] }[] = [
  {
    country: 'IT',
    name: 'Italy',
    demonym: 'Italian',
    cities: [
      ['florence', 'Florence'],
      ['milan', 'Milan'],
      ['biella', 'Biella'],
      ['como', 'Como'],
    ],
  },
  {
    country: 'FR',
    name: 'France',
    demonym: 'French',
    cities: [
      ['paris', 'Paris'],
      ['lyon', 'Lyon'],
    ],
  },
  {
    country: 'CH',
    name: 'Switzerland',
    demonym: 'Swiss',
    cities: [
      ['geneva', 'Geneva'],
      ['le locle', 'Le Locle'],
    ],
  },
  { country: 'ES', name: 'Spain', demonym: 'Spanish', cities: [['ubrique', 'Ubrique']] },
  { country: 'PT', name: 'Portugal', demonym: 'Portuguese', cities: [['porto', 'Porto']] },
  { country: 'GB', name: 'England', demonym: 'English', cities: [['northampton', 'Northampton']] },
];
const ORIGIN_BY_CATEGORY: Record<string, string[]> = {
  bags: ['IT', 'FR', 'ES'],
  watches: ['CH'],
  accessories: ['IT', 'FR'],
  shoes: ['IT', 'GB', 'PT'],
  'ready-to-wear': ['IT', 'FR', 'PT'],
  jewellery: ['FR', 'IT', 'CH'],
};
const COLOURS = ['black', 'navy', 'camel', 'ivory', 'burgundy', 'grey', 'cognac', 'olive', 'blush', 'taupe'];
const EDITIONS = [50, 88, 100, 150, 250, 300, 500, 888];

export const CORPUS_NOW = Date.parse('2026-12-01T10:00:00Z'); // a Tuesday
export const CORPUS_AS_OF = new Date(CORPUS_NOW - 20_000).toISOString();

export interface DeliveryTier {
  region: string;
  tier: string;
  minDays: number;
  maxDays: number;
  free: boolean;
}
export const DELIVERY: DeliveryTier[] = [
  { region: 'EU', tier: 'standard', minDays: 2, maxDays: 4, free: true },
  { region: 'EU', tier: 'express', minDays: 1, maxDays: 1, free: false },
  { region: 'UK', tier: 'standard', minDays: 3, maxDays: 5, free: true },
  { region: 'UK', tier: 'express', minDays: 1, maxDays: 2, free: false },
  { region: 'US', tier: 'standard', minDays: 4, maxDays: 7, free: false },
  { region: 'US', tier: 'express', minDays: 2, maxDays: 3, free: false },
  { region: 'CH', tier: 'standard', minDays: 2, maxDays: 3, free: true },
];
export const RETURN_DAYS = 30;
export const WARRANTY_MONTHS = 24;
export const APPROVED_CLAIMS = [
  { id: 'repair-value', text: 'our repair service keeps its resale value' },
  { id: 'numbered', text: 'each piece is numbered and certified, the finest work of our atelier' },
];

function markdownPrice(base: number, percent: number): number {
  return Math.round(base * (1 - percent / 100));
}

export function buildCorpusCatalog(seed: number, size: number): CorpusProduct[] {
  const rnd = new Random(seed * 31 + 7);
  return generateCatalog(seed, size).map((row, i) => {
    const models = MODELS[row.category];
    const j = Math.floor(i / 6);
    const line = LINES[j % LINES.length];
    const model = models[Math.floor(j / LINES.length) % models.length];
    const name = `${line} ${model}`;
    const discountPercent = rnd.chance(0.2) ? rnd.pick([10, 15, 20, 25, 30, 40]) : undefined;
    const price = discountPercent ? markdownPrice(row.price, discountPercent) : row.price;
    const composition = rnd.pick(COMPOSITIONS[row.category]);
    const country = rnd.pick(ORIGIN_BY_CATEGORY[row.category]);
    const o = ORIGINS.find((x) => x.country === country)!;
    const withCity = rnd.chance(0.6);
    const city = rnd.pick(o.cities);
    const otherPrices = rnd.chance(0.3)
      ? [{ currency: 'CHF', amount: Math.round((price * 0.95) / 10) * 10 }]
      : [];
    return {
      sku: row.sku,
      name,
      alias: rnd.chance(0.3) ? `Le ${model} ${line}` : undefined,
      model,
      category: row.category,
      price,
      compareAt: discountPercent ? row.price : undefined,
      discountPercent,
      otherPrices,
      stock: row.stock,
      staleStock: rnd.chance(0.1),
      stalePrice: rnd.chance(0.05),
      materials: rnd.chance(0.05) ? undefined : composition.parts.map((p) => ({ ...p, words: p.material })),
      origin: rnd.chance(0.07)
        ? undefined
        : {
            country: o.country,
            countryName: o.name,
            demonym: o.demonym,
            ...(withCity ? { city: city[0], cityName: city[1] } : {}),
          },
      limited: rnd.chance(0.08) ? rnd.pick(EDITIONS) : undefined,
      colours: [rnd.pick(COLOURS), rnd.pick(COLOURS)].filter((c, k, a) => a.indexOf(c) === k),
    };
  });
}

/** The catalog as a knowledge import (what a tenant would upload). */
export function corpusDocument(products: CorpusProduct[]): KnowledgeDocumentInput {
  const ago = (seconds: number) => new Date(CORPUS_NOW - seconds * 1000).toISOString();
  return {
    asOf: CORPUS_AS_OF,
    products: products.map((p, i) => ({
      sku: p.sku,
      name: p.name,
      aliases: p.alias ? [p.alias] : [],
      brand: i % 3 === 0 ? 'Maison Demo' : i % 3 === 1 ? 'Atelier Temps' : 'Maison Demo Home',
      category: p.category,
      price: { amount: p.price, currency: 'EUR' },
      ...(p.compareAt ? { compareAtPrice: p.compareAt } : {}),
      otherPrices: p.otherPrices as { currency: 'CHF'; amount: number }[],
      stock: p.stock,
      ...(p.materials ? { materials: p.materials.map(({ words: _w, ...m }) => m) } : {}),
      ...(p.origin
        ? { origin: { country: p.origin.country, ...(p.origin.city ? { city: p.origin.city } : {}) } }
        : {}),
      colours: p.colours,
      ...(p.limited ? { limitedEdition: { total: p.limited } } : {}),
      asOf: {
        price: p.stalePrice ? ago(1800 + (i % 5) * 600) : ago(30),
        stock: p.staleStock ? ago(300 + (i % 7) * 120) : ago(10),
      },
    })),
    policies: {
      returns: { windowDays: RETURN_DAYS, free: true },
      delivery: DELIVERY.map((d) => ({ ...d, businessDays: true })),
      warranty: { months: WARRANTY_MONTHS },
      priceMatch: { enabled: false },
    },
    copy: [
      {
        id: 'winter-cashmere',
        campaign: 'winter',
        text: 'Dear {name}, our winter cashmere has arrived: soft, light and made to last.',
        validFrom: '2026-11-15T00:00:00Z',
        validTo: '2027-01-15T00:00:00Z',
      },
    ],
    approvedClaims: APPROVED_CLAIMS,
    voice: { bannedWords: [{ term: 'cheap', action: 'deny' }], requiredTerms: [] },
    freshness: { stock: 60, price: 900 },
  };
}
