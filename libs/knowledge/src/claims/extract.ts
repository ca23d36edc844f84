import { NormalizedText } from '../text/normalize';
import { PatternMatcher } from '../text/pattern-matcher';
import {
  COLOURS,
  CURRENCY_SIGNS,
  MATERIALS,
  MONTHS,
  NUMBER_WORDS,
  PLACES,
  PRODUCT_NOUNS,
  WEEKDAYS,
} from '../text/lexicon';
import { Token } from '../text/tokenize';
import { Claim, ClaimedDate } from './claim';
import { TokenReader } from './reader';

/**
 * The extractors. One left-to-right pass over the tokens: at each free token, the cue phrase
 * starting there (longest match in a token trie) or the number there picks one small state
 * machine, which reads a bounded window around it and records at most a few claims. No regular
 * expressions, no backtracking: the cost is the number of tokens times a constant.
 */

type Cue =
  | 'material'
  | 'material-or-origin'
  | 'origin'
  | 'origin-workshop'
  | 'stock-some'
  | 'stock-none'
  | 'stock-low'
  | 'stock-last-one'
  | 'stock-level'
  | 'limited'
  | 'delivery'
  | 'free-delivery'
  | 'returns'
  | 'warranty'
  | 'guarantee-word'
  | 'price-match'
  | 'guarantee'
  | 'superlative';

const CUES: Record<Cue, string[]> = {
  material: [
    'made of',
    'made from',
    'crafted from',
    'crafted of',
    'cut from',
    'woven from',
    'woven of',
    'spun from',
    'knitted from',
    'knit from',
    'fashioned from',
    'rendered in',
    'composed of',
    'set in',
    'cast in',
    'in',
    'pure',
    'solid',
    'crafted entirely from',
    'made entirely of',
    'made entirely from',
    'a blend of',
  ],
  'material-or-origin': [
    'made in',
    'crafted in',
    'woven in',
    'knitted in',
    'cut in',
    'handmade in',
    'hand made in',
    'handcrafted in',
    'hand crafted in',
    'made by hand in',
    'crafted by hand in',
  ],
  origin: [
    'produced in',
    'manufactured in',
    'assembled in',
    'stitched in',
    'hand stitched in',
    'handstitched in',
    'sewn in',
    'hand sewn in',
    'finished in',
    'built in',
    'born in',
    'comes from',
    'hails from',
    'designed and made in',
    'designed and crafted in',
    'proudly made in',
  ],
  'origin-workshop': ['from our', 'in our', 'at our', 'by our'],
  'stock-some': [
    'in stock',
    'back in stock',
    'now in stock',
    'available now',
    'now available',
    'available immediately',
    'still available',
    'currently available',
    'ready to ship',
    'ready to ship today',
    'available today',
    'available to ship',
    'available to ship today',
    'in stock and ready to ship',
  ],
  'stock-none': [
    'sold out',
    'out of stock',
    'currently unavailable',
    'unavailable',
    'no longer available',
    'not available',
    'not in stock',
    'temporarily unavailable',
    'is sold out',
    'completely sold out',
  ],
  'stock-low': [
    'nearly sold out',
    'almost sold out',
    'a few left',
    'only a few left',
    'only a few',
    'just a few left',
    'low stock',
    'limited stock',
    'last few',
    'almost gone',
    'a few remaining',
    'few remaining',
    'running low',
  ],
  'stock-last-one': [
    'last one',
    'the last one',
    'last piece',
    'the last piece',
    'the very last one',
    'last remaining piece',
  ],
  'stock-level': [
    'stock of',
    'stock is',
    'stock level of',
    'stock level is',
    'stock at',
    'inventory of',
    'inventory is',
    'on hand stock is',
    'on hand stock of',
    'stock',
    'stock on hand is',
    'units on hand',
    'we have',
    'we hold',
    'inventory stands at',
    'stock stands at',
    'on hand',
    'holding',
  ],
  limited: [
    'limited to',
    'limited edition of',
    'limited edition to',
    'a limited edition of',
    'limited run of',
    'edition of',
    'numbered edition of',
    'series of',
    'run of',
    'one of only',
    'one of',
    'only',
    'just',
    'edition limited to',
  ],
  delivery: [
    'arrive',
    'arrives',
    'arriving',
    'arrival',
    'deliver',
    'delivers',
    'delivered',
    'delivery',
    'shipping',
    'reach you',
    'reaches you',
    'be with you',
    'get to you',
    'receive it',
    'receive your',
    'in your hands',
    'on your doorstep',
    'at your door',
    'lands',
    'land',
  ],
  'free-delivery': [
    'free delivery',
    'free shipping',
    'complimentary delivery',
    'complimentary shipping',
    'free express delivery',
    'complimentary express delivery',
    'free standard delivery',
    'complimentary standard delivery',
    'delivery is free',
    'shipping is free',
    'delivery is complimentary',
    'shipping is complimentary',
    'delivery is on us',
    'shipping is on us',
    'ships free',
    'delivered free',
    'free express shipping',
    'free standard shipping',
  ],
  returns: [
    'return',
    'returns',
    'returned',
    'returning',
    'exchange',
    'exchanges',
    'exchanged',
    'return it',
    'send it back',
  ],
  warranty: ['warranty', 'warranted', 'warrantied'],
  'guarantee-word': ['guarantee', 'guaranteed', 'guarantees'],
  'price-match': [
    'price match',
    'price matching',
    'price match guarantee',
    'match any lower price',
    'match a lower price',
    'match any competitor price',
    'match any competitor s price',
    'match competitors prices',
    'match competitor prices',
    'match the price',
    'match any cheaper price',
    'beat any price',
  ],
  guarantee: [
    'will appreciate',
    'appreciate in value',
    'appreciates in value',
    'holds its value',
    'hold its value',
    'keeps its value',
    'retains its value',
    'only go up in value',
    'investment piece',
    'a sound investment',
    'a safe investment',
    'an investment',
    'never loses value',
    'never lose value',
    'resale value',
    'risk free',
    'money back',
    'no risk',
    'will increase in value',
    'increases in value',
  ],
  superlative: [
    'the best',
    'best ever',
    'finest',
    'the finest',
    'world s first',
    'world s best',
    'world s finest',
    'worlds finest',
    'world s most',
    'unrivalled',
    'unrivaled',
    'unmatched',
    'unparalleled',
    'peerless',
    'number one',
    'no . 1',
    '# 1',
    'the lowest price',
    'lowest price',
    'cheapest',
    'best price',
    'highest quality',
    'best selling',
    'bestselling',
    'best seller',
    'bestseller',
    'like no other',
    'the rarest',
    'second to none',
    'the only',
    'the most',
  ],
};

interface TrieNode {
  next: Map<string, TrieNode>;
  cue?: Cue;
}

const TRIE: TrieNode = { next: new Map() };
for (const [cue, phrases] of Object.entries(CUES) as [Cue, string[]][])
  for (const phrase of phrases) {
    let node = TRIE;
    for (const word of phrase.split(' ')) {
      let n = node.next.get(word);
      if (!n) node.next.set(word, (n = { next: new Map() }));
      node = n;
    }
    node.cue ??= cue;
  }

/** The longest cue phrase starting at token i; stops at used tokens and sentence ends. */
function cueAt(r: TokenReader, i: number): { cue: Cue; end: number } | undefined {
  let node = TRIE;
  let at = i;
  let best: { cue: Cue; end: number } | undefined;
  for (let k = 0; k < 8; k++) {
    if (k > 0) at = r.skipTransparent(at);
    const t = r.tokens[at];
    if (t === undefined || !r.free(at)) break;
    const n = node.next.get(t.text);
    if (!n) break;
    node = n;
    at++;
    if (n.cue) best = { cue: n.cue, end: at };
  }
  return best;
}

const ADJECTIVES = new Set([
  'pure',
  'solid',
  'fine',
  'finest',
  'soft',
  'supple',
  'grained',
  'smooth',
  'polished',
  'genuine',
  'real',
  'premium',
  'brushed',
  'textured',
  'luxurious',
  'the',
  'a',
  'an',
  'full',
  'grain',
  'top',
  'double',
  'faced',
  'italian',
  'french',
  'scottish',
  'mongolian',
  'swiss',
  'english',
  'spanish',
  'hand',
  'woven',
  'precious',
  'exquisite',
  'lightweight',
  'heavy',
  'brushed',
  'glossy',
  'matte',
  'patent',
  'quilted',
  'washed',
  'organic',
  'finest',
  'rare',
  'baby',
  'noble',
  'certified',
  'recycled',
  'satin',
  'twill',
  'jersey',
  'ribbed',
  'crinkled',
]);
const PURE = new Set(['pure', 'solid']);
const WORKSHOP = new Set([
  'workshop',
  'workshops',
  'atelier',
  'ateliers',
  'factory',
  'manufacture',
  'manufactory',
  'studio',
  'mill',
  'mills',
  'tannery',
  'artisans',
  'craftsmen',
  'craftspeople',
]);
const PLACE_ADJECTIVES = new Set([
  'our',
  'the',
  'a',
  'an',
  'small',
  'family',
  'own',
  'historic',
  'historical',
  'local',
  'master',
  'artisan',
  'artisanal',
  'famous',
  'renowned',
  'traditional',
  'dedicated',
  'run',
  'owned',
  'old',
  'northern',
  'southern',
  'beautiful',
  'partner',
  'heritage',
]);
const MADE = new Set([
  'made',
  'crafted',
  'manufactured',
  'produced',
  'handmade',
  'handcrafted',
  'built',
  'assembled',
]);
const STOCK_NOUNS = new Set([
  'units',
  'unit',
  'pieces',
  'piece',
  'items',
  'item',
  'bags',
  'pairs',
  'watches',
  'left',
  'pcs',
  'more',
  'scarves',
  'rings',
  'coats',
  'examples',
]);
const STOCK_AFTER: string[][] = [
  ['left', 'in', 'stock'],
  ['left'],
  ['remaining'],
  ['remain'],
  ['in', 'stock'],
  ['available'],
  ['on', 'hand'],
  ['in', 'the', 'warehouse'],
  ['in', 'our', 'warehouse'],
  ['in', 'store'],
  ['still', 'available'],
  ['to', 'go'],
  ['left', 'worldwide'],
  ['in', 'inventory'],
  ['on', 'the', 'shelf'],
  ['available', 'to', 'ship'],
];
const EDITION_AFTER: string[][] = [
  ['made'],
  ['produced'],
  ['exist'],
  ['ever', 'made'],
  ['in', 'the', 'world'],
  ['worldwide'],
  ['pieces', 'worldwide'],
  ['pieces', 'made'],
  ['pieces', 'produced'],
  ['numbered', 'pieces'],
  ['pieces', 'in', 'total'],
  ['made', 'worldwide'],
];
const DISCOUNT_AFTER = new Set([
  'off',
  'discount',
  'reduction',
  'markdown',
  'saving',
  'savings',
  'less',
  'lower',
  'cheaper',
  'below',
]);
const DISCOUNT_BEFORE = new Set([
  'save',
  'saving',
  'discount',
  'discounted',
  'reduction',
  'reduced',
  'markdown',
  'marked',
  'down',
  'lower',
  'cut',
  'take',
  'taking',
  'get',
  'enjoy',
  'savings',
]);
const REGULAR_BEFORE = new Set([
  'was',
  'were',
  'originally',
  'previously',
  'regular',
  'regularly',
  'usual',
  'usually',
  'list',
  'full',
  'rrp',
  'instead',
  'from',
  'normally',
  'before',
]);
const REGULAR_AFTER: string[][] = [
  ['list', 'price'],
  ['regular', 'price'],
  ['original', 'price'],
  ['full', 'price'],
  ['rrp'],
  ['before', 'the', 'markdown'],
  ['before', 'markdown'],
  ['previously'],
  ['originally'],
  ['usual', 'price'],
];
const FEE_BEFORE = new Set(['delivery', 'shipping', 'postage', 'fee', 'surcharge', 'duties', 'deposit']);
/** "orders over €500": a threshold, not a price of anything. */
const THRESHOLD_BEFORE = new Set(['over', 'above', 'under', 'below', 'exceeding', 'minimum', 'least']);
/** Facts a "not" in front of turns around: "is not 100 % cashmere". */
const NEGATABLE = new Set(['material', 'origin', 'limited-edition', 'price', 'stock']);
const NEGATIONS = new Set(['not', 'never', 'no', 'cannot', 't', 'nor']);
const KARAT = new Set(['k', 'kt', 'ct', 'carat', 'carats', 'karat', 'karats']);
const TINTS = new Set(['yellow', 'white', 'rose', 'pink']);
const TIERS = new Set(['express', 'standard', 'priority', 'premium', 'economy', 'courier', 'signature']);
const FREE_WORDS: string[][] = [
  ['free', 'of', 'charge'],
  ['free'],
  ['complimentary'],
  ['at', 'no', 'cost'],
  ['at', 'no', 'charge'],
  ['no', 'charge'],
  ['on', 'us'],
  ['at', 'no', 'extra', 'cost'],
];
const DAY_UNITS: Record<string, { mult: number; unit?: 'calendar' }> = {
  day: { mult: 1 },
  days: { mult: 1 },
  week: { mult: 7, unit: 'calendar' },
  weeks: { mult: 7, unit: 'calendar' },
  month: { mult: 30, unit: 'calendar' },
  months: { mult: 30, unit: 'calendar' },
  hour: { mult: 1 / 24, unit: 'calendar' },
  hours: { mult: 1 / 24, unit: 'calendar' },
};
const YEAR_UNITS: Record<string, number> = { year: 12, years: 12, yr: 12, yrs: 12, month: 1, months: 1 };
const UNKNOWN_PRODUCT_STOP = new Set([
  'the',
  'this',
  'that',
  'these',
  'those',
  'our',
  'your',
  'my',
  'his',
  'her',
  'their',
  'its',
  'a',
  'an',
  'new',
  'dear',
  'hello',
  'hi',
  'good',
  'only',
  'just',
  'price',
  'update',
  'note',
  'restock',
  'stock',
  'reorder',
  'order',
  'alert',
  'and',
  'or',
  'with',
  'for',
  'from',
  'in',
  'on',
  'at',
  'by',
  'to',
  'of',
  'it',
  'we',
  'you',
  'i',
  'please',
  'thank',
  'thanks',
  'yes',
  'no',
  'today',
  'tomorrow',
  'now',
  'also',
  'plus',
  'all',
  'every',
  'each',
  'perfect',
  'classic',
  'iconic',
  'signature',
  'limited',
  'edition',
  'pricing',
  'markdown',
  'sale',
  'inventory',
  're',
  'fw',
  'ps',
  'sku',
  'item',
  'as',
  'if',
  'so',
  'but',
  'mr',
  'mrs',
  'ms',
  'madame',
  'monsieur',
  'great',
  'lovely',
  'both',
  'same',
  'matching',
  'evening',
  'day',
  'travel',
  'mini',
  'small',
  'large',
  'medium',
  'top',
  'handle',
]);

function sentenceEndOrUsed(r: TokenReader, i: number, from: number): boolean {
  return i < 0 || i >= r.length || !r.free(i) || r.isBoundary(i) || !r.sameSentence(i, from);
}

// ---------------------------------------------------------------- numbers first

/** Money: "€2,150", "2 150 €", "EUR 2150", "2150 euros", "CHF 1,250.–". Returns true when recorded. */
function money(r: TokenReader, i: number): boolean {
  const t = r.tokens[i];
  let first = i;
  let last: number;
  let amount: number;
  let currency: string | undefined;
  if (
    (t.kind === 'symbol' || t.kind === 'word') &&
    CURRENCY_SIGNS[t.text] &&
    r.tokens[i + 1]?.kind === 'number' &&
    r.free(i + 1)
  ) {
    currency = CURRENCY_SIGNS[t.text];
    amount = r.tokens[i + 1].value;
    last = i + 1;
    // "US$ 1,200" / "CHF 1'250.–": a trailing dash after a Swiss amount is decoration.
    if (r.is(last + 1, '.') && r.is(last + 2, '-')) last += 2;
  } else if (t.kind === 'number') {
    const next = r.tokens[i + 1];
    if (next?.text === 'swiss' && (r.word(i + 2) === 'francs' || r.word(i + 2) === 'franc')) {
      for (let u = i; u <= i + 2; u++) r.used[u] = 0;
      r.claim('price', i, i + 2, { amount: t.value, currency: 'CHF', role: 'current' });
      return true;
    }
    if (next === undefined || !r.free(i + 1) || !CURRENCY_SIGNS[next.text]) return false;
    if (next.kind === 'word' && (next.text === 'pound' || next.text === 'pounds') && r.word(i + 2) === 'of')
      return false;
    currency = CURRENCY_SIGNS[next.text];
    amount = t.value;
    last = i + 1;
  } else return false;
  if (!Number.isFinite(amount)) return false;
  // What the amount is: a fee (not checked), the regular price, a saving, or the price.
  for (let k = first - 1; k >= Math.max(0, first - 4) && r.sameSentence(k, first); k--) {
    const w = r.word(k);
    if (w && (FEE_BEFORE.has(w) || (k === first - 1 && THRESHOLD_BEFORE.has(w)))) {
      for (let u = first; u <= last; u++) r.used[u] = 1;
      return true;
    }
  }
  let role: 'current' | 'regular' = 'current';
  let discount = false;
  for (let k = first - 1; k >= Math.max(0, first - 3) && r.sameSentence(k, first) && r.free(k); k--) {
    const w = r.word(k);
    if (w === undefined) continue;
    if (REGULAR_BEFORE.has(w)) {
      // "down from €2,500", "reduced from", "was €2,500" — but "from just €900" is the current price.
      role = 'regular';
      first = k;
      if (w === 'from' && !['down', 'reduced', 'marked', 'up'].includes(r.word(k - 1) ?? ''))
        role = 'current';
      break;
    }
    if (
      DISCOUNT_BEFORE.has(w) &&
      (w === 'save' || w === 'saving' || w === 'savings' || r.word(k + 1) === 'of' || r.word(k + 1) === 'by')
    ) {
      discount = true;
      first = k;
      break;
    }
  }
  // "10 % off the €2,150 list price": the reference price, named before or after the amount.
  if (r.word(first - 1) === 'off' || (r.word(first - 1) === 'the' && r.word(first - 2) === 'off'))
    role = 'regular';
  for (const after of REGULAR_AFTER) {
    const e = r.phrase(last + 1, after);
    if (e > 0) {
      role = 'regular';
      last = e - 1;
      break;
    }
  }
  if (r.word(last + 1) === 'off' || r.word(last + 1) === 'discount' || r.word(last + 1) === 'less') {
    discount = true;
    last++;
  }
  if (discount) r.claim('discount', first, last, { amount, currency });
  else r.claim('price', first, last, { amount, currency, role });
  return true;
}

/** A percentage: a discount ("20 % off", "save 20%") or a share of a material ("70% wool"). */
function percentage(r: TokenReader, i: number): boolean {
  const t = r.tokens[i];
  if (t.kind !== 'number') return false;
  let end: number;
  if (r.is(i + 1, '%')) end = i + 2;
  else if (r.word(i + 1) === 'percent') end = i + 2;
  else if (r.word(i + 1) === 'per' && r.word(i + 2) === 'cent') end = i + 3;
  else return false;
  const percent = t.value;
  const after = r.word(end);
  if (after !== undefined && DISCOUNT_AFTER.has(after)) {
    let last = end;
    if (after === 'off' && r.word(end + 1) === 'the') last = end;
    r.claim('discount', i, last, { percent });
    return true;
  }
  for (let k = i - 1; k >= Math.max(0, i - 3) && r.sameSentence(k, i) && r.free(k); k--) {
    const w = r.word(k);
    if (w && DISCOUNT_BEFORE.has(w)) {
      r.claim('discount', k, end - 1, { percent });
      return true;
    }
  }
  let at = end;
  if (r.word(at) === 'of') at++;
  while (r.word(at) !== undefined && ADJECTIVES.has(r.word(at)!) && !MATERIALS[r.word(at)!]) at++;
  const m = r.lexicon(at, MATERIALS, 3);
  if (m) {
    r.claim('material', i, m.end - 1, {
      material: m.value.name,
      tint: m.value.tint,
      percent,
      pure: percent === 100,
    });
    return true;
  }
  return false;
}

/** "18k gold", "18-carat rose gold", "18 ct white gold". */
function karat(r: TokenReader, i: number): boolean {
  const t = r.tokens[i];
  if (t.kind !== 'number' || t.value < 8 || t.value > 24) return false;
  let at = r.skipTransparent(i + 1);
  if (!KARAT.has(r.word(at) ?? '')) return false;
  at = r.skipTransparent(at + 1);
  let tint: string | undefined;
  if (TINTS.has(r.word(at) ?? '')) {
    tint = r.word(at) === 'pink' ? 'rose' : r.word(at);
    at++;
  }
  if (r.word(at) !== 'gold') return false;
  r.claim('material', i, at, { material: 'gold', karat: t.value, tint });
  return true;
}

/** "only 3 left", "3 pieces remaining", "the last 2", "one of only 250 made", "12 units on hand". */
function countFirst(r: TokenReader, i: number): boolean {
  const n = r.number(i);
  if (!n || !Number.isInteger(n.value)) return false;
  if (r.tokens[i].kind === 'word' && r.word(i - 1) === 'a') return false;
  let at = n.end;
  // A unit noun in between: "3 pieces left", "3 of them left".
  if (STOCK_NOUNS.has(r.word(at) ?? '') && r.word(at) !== 'left') at++;
  if (r.word(at) === 'of' && r.word(at + 1) === 'them') at += 2;
  if (
    r.word(at) === 'in' &&
    COLOURS.has(r.word(at + 1) ?? '') &&
    (r.word(at + 2) === 'left' || r.word(at + 2) === 'remaining')
  )
    at += 2;
  let first = i;
  const back = (w: string) => r.word(first - 1) === w && r.free(first - 1);
  for (const edition of EDITION_AFTER) {
    const end = r.phrase(at, edition);
    if (end > 0) {
      while (back('only') || back('just') || back('of') || back('one')) first--;
      r.claim('limited-edition', first, end - 1, { count: n.value });
      return true;
    }
  }
  for (const after of STOCK_AFTER) {
    const end = r.phrase(at, after);
    if (end > 0 && r.free(end - 1)) {
      while (
        back('only') ||
        back('just') ||
        back('last') ||
        back('the') ||
        back('have') ||
        back('we') ||
        back('still')
      )
        first--;
      r.claim('stock', first, end - 1, { relation: 'exactly', count: n.value });
      return true;
    }
  }
  // "the last 2 pieces", "last 3".
  if (r.word(i - 1) === 'last' && r.free(i - 1)) {
    first = i - 1;
    if (back('the')) first--;
    const last = STOCK_NOUNS.has(r.word(n.end) ?? '') ? n.end : n.end - 1;
    r.claim('stock', first, last, { relation: 'exactly', count: n.value });
    return true;
  }
  return false;
}

/** "N-day", "N days", "N business days", "N-M days", "N to M working days", "48 hours": days and unit. */
function duration(
  r: TokenReader,
  i: number,
): { days: number; unit: 'business' | 'calendar'; end: number } | undefined {
  const a = r.number(i);
  if (!a) return undefined;
  let at = a.end;
  let value = a.value;
  // A range: the promise is its upper end.
  const dash = r.skipTransparent(at);
  if (dash > at || r.word(at) === 'to' || r.word(at) === 'or') {
    const b = r.number(dash > at ? dash : at + 1);
    if (b) {
      value = Math.max(value, b.value);
      at = b.end;
    }
  }
  at = r.skipTransparent(at);
  let unit: 'business' | 'calendar' = 'calendar';
  if (r.word(at) === 'business' || r.word(at) === 'working') {
    unit = 'business';
    at++;
  }
  const u = DAY_UNITS[r.word(at) ?? ''];
  if (!u) return undefined;
  return { days: Math.ceil(value * u.mult), unit: u.unit ?? unit, end: at + 1 };
}

/** A date or duration after a delivery cue, within its sentence. */
function deliveryTime(
  r: TokenReader,
  i: number,
): { days?: number; dayUnit?: 'business' | 'calendar'; date?: ClaimedDate; end: number } | undefined {
  const w = r.word(i);
  if (w === 'tomorrow') return { date: { type: 'relative', days: 1 }, end: i + 1 };
  if (w === 'today' || w === 'tonight') return { date: { type: 'relative', days: 0 }, end: i + 1 };
  let end = r.phrase(i, ['same', 'day']);
  if (end > 0) return { date: { type: 'relative', days: 0 }, end };
  end = r.phrase(i, ['next', 'day']);
  if (end < 0) end = r.phrase(i, ['overnight']);
  if (end < 0) end = r.phrase(i, ['next', 'business', 'day']);
  if (end < 0) end = r.phrase(i, ['next', 'working', 'day']);
  if (end > 0) return { days: 1, dayUnit: 'business', end };
  let at = i;
  if (['within', 'in', 'under', 'takes', 'take', 'around', 'about', 'approximately'].includes(w ?? '')) {
    at++;
    if (r.word(at) === 'just' || r.word(at) === 'only' || r.word(at) === 'the' || r.word(at) === 'next') at++;
  }
  if (r.word(at) === 'a' || r.word(at) === 'one') {
    const u = DAY_UNITS[r.word(at + 1) ?? ''];
    if (u && (r.word(at + 1) === 'week' || r.word(at + 1) === 'day'))
      return { days: Math.ceil(u.mult), dayUnit: u.unit ?? 'calendar', end: at + 2 };
  }
  const d = duration(r, at);
  if (d) return { days: d.days, dayUnit: d.unit, end: d.end };
  // "on Thursday", "by next Friday", "on 12 December", "by December 12th".
  at = i;
  if (['on', 'by', 'before', 'this', 'for'].includes(r.word(at) ?? '')) at++;
  if (r.word(at) === 'this') at++;
  let next = false;
  if (r.word(at) === 'next') {
    next = true;
    at++;
  }
  const wd = WEEKDAYS[r.word(at) ?? ''];
  if (wd !== undefined && at > i) return { date: { type: 'weekday', weekday: wd, next }, end: at + 1 };
  if (r.word(at) === 'the') at++;
  const dayFirst = r.tokens[at]?.kind === 'number' ? r.tokens[at].value : undefined;
  if (dayFirst !== undefined) {
    let m = at + 1;
    if (['st', 'nd', 'rd', 'th'].includes(r.word(m) ?? '')) m++;
    if (r.word(m) === 'of') m++;
    const month = MONTHS[r.word(m) ?? ''];
    if (month !== undefined && at > i && dayFirst >= 1 && dayFirst <= 31)
      return { date: { type: 'calendar', month, day: dayFirst }, end: m + 1 };
  }
  const month = MONTHS[r.word(at) ?? ''];
  if (month !== undefined && at > i && r.tokens[at + 1]?.kind === 'number') {
    const day = r.tokens[at + 1].value;
    let e = at + 2;
    if (['st', 'nd', 'rd', 'th'].includes(r.word(e) ?? '')) e++;
    if (day >= 1 && day <= 31) return { date: { type: 'calendar', month, day }, end: e };
  }
  return undefined;
}

function tierIn(r: TokenReader, i: number): string | undefined {
  for (let k = i; k >= 0 && r.sameSentence(k, i); k--) if (TIERS.has(r.word(k) ?? '')) return r.word(k);
  for (let k = i + 1; k < r.length && r.sameSentence(k, i); k++)
    if (TIERS.has(r.word(k) ?? '')) return r.word(k);
  return undefined;
}

/** "2-4 day delivery", "next-day shipping": the time comes first. */
function timeBeforeDelivery(r: TokenReader, i: number): boolean {
  const t = deliveryTime(r, i);
  if (!t) return false;
  if (t.end <= i) return false;
  const cue = r.word(t.end);
  if (!['delivery', 'shipping', 'courier'].includes(cue ?? '') || !r.free(t.end)) return false;
  let first = i;
  let free: boolean | undefined;
  if ((r.word(i - 1) === 'free' || r.word(i - 1) === 'complimentary') && r.free(i - 1)) {
    free = true;
    first--;
  }
  r.claim('delivery', first, t.end, {
    days: t.days,
    dayUnit: t.dayUnit,
    date: t.date,
    tierHint: tierIn(r, i),
    free,
  });
  return true;
}

// ---------------------------------------------------------------- cue first

function material(r: TokenReader, cueStart: number, cueEnd: number, pureCue: boolean): boolean {
  let at = cueEnd;
  let pure = pureCue;
  for (let k = 0; k < 3; k++) {
    const w = r.word(at);
    if (w === undefined || MATERIALS[w] || !(ADJECTIVES.has(w) || COLOURS.has(w))) break;
    if (PURE.has(w)) pure = true;
    if (COLOURS.has(w) && MATERIALS[`${w} ${r.word(at + 1)}`]) break; // "rose gold"
    at++;
  }
  const m = r.lexicon(at, MATERIALS, 3);
  if (!m || !r.free(at)) return false;
  const isSolid = r.word(cueStart) === 'solid' || r.word(at - 1) === 'solid';
  // "solid gold" says gold, not plating; "pure" says 100 %.
  const fields = {
    material: m.value.name,
    tint: m.value.tint,
    ...(pure && !isSolid ? { pure: true, percent: 100 } : {}),
  };
  r.claim('material', cueStart, m.end - 1, fields);
  // "silk and cashmere": one claim per material.
  let next = m.end;
  while ((r.word(next) === 'and' || r.is(next, ',')) && r.sameSentence(next, cueStart)) {
    const more = r.lexicon(next + 1, MATERIALS, 3);
    if (!more || !r.free(next + 1)) break;
    r.claim('material', next + 1, more.end - 1, { material: more.value.name, tint: more.value.tint });
    next = more.end;
  }
  return true;
}

function place(r: TokenReader, at: number): { country: string; city?: string; end: number } | undefined {
  for (let k = 0; k < 3; k++) {
    const w = r.word(at);
    if (w === undefined || PLACES[w] || !PLACE_ADJECTIVES.has(w)) break;
    at = r.skipTransparent(at + 1);
  }
  const p = r.lexicon(at, PLACES, 4);
  if (!p) return undefined;
  return { country: p.value.country, city: p.value.city, end: p.end };
}

function origin(r: TokenReader, cueStart: number, cueEnd: number, needsWorkshop: boolean): boolean {
  const p = place(r, cueEnd);
  if (!p || !r.free(p.end - 1)) return false;
  let last = p.end - 1;
  if (WORKSHOP.has(r.word(p.end) ?? '')) last = p.end;
  else if (needsWorkshop) return false;
  r.claim('origin', cueStart, last, { country: p.country, city: p.city });
  return true;
}

/** "Italian-made", "Swiss made". */
function demonymMade(r: TokenReader, i: number): boolean {
  const p = r.lexicon(i, PLACES, 3);
  if (!p || p.value.city) return false;
  const at = r.skipTransparent(p.end);
  if (!MADE.has(r.word(at) ?? '')) return false;
  r.claim('origin', i, at, { country: p.value.country });
  return true;
}

function delivery(r: TokenReader, cueStart: number, cueEnd: number, free: boolean): boolean {
  for (let k = cueEnd; k < Math.min(r.length, cueEnd + 10); k++) {
    if (sentenceEndOrUsed(r, k, cueStart)) break;
    const t = deliveryTime(r, k);
    if (t && t.end > k) {
      r.claim('delivery', cueStart, t.end - 1, {
        days: t.days,
        dayUnit: t.dayUnit,
        date: t.date,
        tierHint: tierIn(r, cueStart),
        ...(free ? { free: true } : {}),
      });
      return true;
    }
  }
  if (free) {
    r.claim('delivery', cueStart, cueEnd - 1, { free: true, tierHint: tierIn(r, cueStart) });
    return true;
  }
  return false;
}

/** A return window and/or "free", read around the cue within its sentence. */
function returns(r: TokenReader, cueStart: number, cueEnd: number): boolean {
  let first = cueStart;
  let last = cueEnd - 1;
  let days: number | undefined;
  let free: boolean | undefined;
  const scanFree = (k: number) => {
    for (const f of FREE_WORDS) {
      const e = r.phrase(k, f);
      if (e > 0) return e;
    }
    return -1;
  };
  for (let k = cueStart - 1; k >= Math.max(0, cueStart - 6); k--) {
    if (sentenceEndOrUsed(r, k, cueStart)) break;
    const f = scanFree(k);
    if (f > 0 && free === undefined) {
      free = true;
      first = k;
    }
    if (days === undefined) {
      const d = duration(r, k);
      if (d && d.end <= cueStart) {
        days = d.days;
        first = Math.min(first, k);
      }
    }
  }
  for (let k = cueEnd; k < Math.min(r.length, cueEnd + 9); k++) {
    if (sentenceEndOrUsed(r, k, cueStart)) break;
    if (cueAt(r, k)?.cue === 'delivery' || cueAt(r, k)?.cue === 'free-delivery') break;
    const f = scanFree(k);
    if (f > 0 && free === undefined) {
      free = true;
      last = Math.max(last, f - 1);
    }
    if (days === undefined) {
      let at = k;
      if (['within', 'for', 'up', 'in', 'of'].includes(r.word(at) ?? '')) {
        at++;
        if (r.word(at) === 'to') at++;
      }
      if (r.word(at) === 'a' && (r.word(at + 1) === 'month' || r.word(at + 1) === 'week')) {
        days = r.word(at + 1) === 'month' ? 30 : 7;
        last = Math.max(last, at + 1);
        continue;
      }
      const d = duration(r, at);
      if (d) {
        days = d.days;
        last = Math.max(last, d.end - 1);
      }
    }
  }
  if (days === undefined && free === undefined) return false;
  r.claim('returns', first, last, { ...(days !== undefined ? { days } : {}), ...(free ? { free } : {}) });
  return true;
}

/** "2-year warranty", "warranty of 24 months", "guaranteed for two years", "lifetime warranty". */
function warranty(r: TokenReader, cueStart: number, cueEnd: number, guaranteeWord: boolean): boolean {
  let first = cueStart;
  let last = cueEnd - 1;
  let months: number | null | undefined;
  const lifetimeAt = (k: number) =>
    r.word(k) === 'lifetime' || (r.word(k) === 'life' && r.word(k - 1) === 'for');
  for (let k = cueStart - 1; k >= Math.max(0, cueStart - 5) && months === undefined; k--) {
    if (sentenceEndOrUsed(r, k, cueStart)) break;
    if (lifetimeAt(k)) {
      months = null;
      first = k;
      break;
    }
    const n = r.number(k);
    if (n) {
      const at = r.skipTransparent(n.end);
      const unit = YEAR_UNITS[r.word(at) ?? ''];
      if (unit && at < cueStart) {
        months = n.value * unit;
        first = k;
      }
    }
  }
  for (let k = cueEnd; k < Math.min(r.length, cueEnd + 6) && months === undefined; k++) {
    if (sentenceEndOrUsed(r, k, cueStart)) break;
    if (lifetimeAt(k)) {
      months = null;
      last = k;
      break;
    }
    const n = r.number(k);
    if (n) {
      const at = r.skipTransparent(n.end);
      const unit = YEAR_UNITS[r.word(at) ?? ''];
      if (unit) {
        months = n.value * unit;
        last = at;
      }
    }
  }
  if (months === undefined) {
    if (!guaranteeWord) return false;
    r.claim('guarantee', cueStart, cueEnd - 1, {
      phrase: r.tokens
        .slice(cueStart, cueEnd)
        .map((t) => t.text)
        .join(' '),
    });
    return true;
  }
  r.claim('warranty', first, last, { months });
  return true;
}

function stockLevel(r: TokenReader, cueStart: number, cueEnd: number): boolean {
  let at = cueEnd;
  if (r.is(at, ':') || r.word(at) === 'is' || r.word(at) === 'at' || r.word(at) === 'of') at++;
  if (r.word(at) === 'only' || r.word(at) === 'just') at++;
  const n = r.number(at);
  if (!n || !Number.isInteger(n.value) || r.tokens[at].kind !== 'number') {
    // "we have 3 left" is read from the number; "on hand" after the number too.
    return false;
  }
  let last = at;
  if (STOCK_NOUNS.has(r.word(at + 1) ?? '') && r.word(at + 1) !== 'more') last = at + 1;
  const onHand = r.phrase(last + 1, ['on', 'hand']);
  if (onHand > 0) last = onHand - 1;
  // "we have 3 pieces" without a stock word is too loose; "we have 3 left" is caught by the number.
  const cueWords = r.tokens.slice(cueStart, cueEnd).map((t) => t.text);
  if ((cueWords[0] === 'we' || cueWords[0] === 'holding') && last === at) return false;
  if (cueWords.join(' ') === 'on hand') return false;
  r.claim('stock', cueStart, last, { relation: 'exactly', count: n.value });
  return true;
}

function limited(r: TokenReader, cueStart: number, cueEnd: number): boolean {
  const words = r.tokens
    .slice(cueStart, cueEnd)
    .map((t) => t.text)
    .join(' ');
  const n = r.number(cueEnd);
  if (!n || !Number.isInteger(n.value) || n.value < 2) return false;
  if (words === 'only' || words === 'just' || words === 'one of' || words === 'one of only') return false; // read from the number
  let last = n.end - 1;
  if (['pieces', 'units', 'examples', 'numbered'].includes(r.word(n.end) ?? '')) last = n.end;
  if (r.word(last + 1) === 'pieces') last++;
  const stockAfter = STOCK_AFTER.some((s) => r.phrase(last + 1, s) > 0);
  if (stockAfter) return false;
  r.claim('limited-edition', cueStart, last, { count: n.value });
  return true;
}

/** A capitalised name right before a product noun that no known product matched: "the Zephyr clutch". */
function unknownProduct(r: TokenReader, i: number, stop: ReadonlySet<string>): boolean {
  const noun = r.word(i);
  if (noun === undefined || !PRODUCT_NOUNS.has(noun) || !r.free(i)) return false;
  let first = i;
  let capitals = 0;
  for (let k = i - 1; k >= Math.max(0, i - 3); k--) {
    const t = r.tokens[k];
    if (!r.free(k) || !r.sameSentence(k, i)) break;
    if (t.kind === 'number' && capitals === 0 && r.capitalised(k - 1)) {
      first = k;
      continue;
    }
    if (t.kind !== 'word' || !r.capitalised(k)) break;
    const w = t.text;
    if (
      UNKNOWN_PRODUCT_STOP.has(w) ||
      stop.has(w) ||
      COLOURS.has(w) ||
      MATERIALS[w] ||
      PLACES[w] ||
      WEEKDAYS[w] !== undefined ||
      MONTHS[w] !== undefined ||
      NUMBER_WORDS[w] !== undefined
    )
      break;
    first = k;
    capitals++;
  }
  if (capitals === 0) return false;
  r.claim('product', first, i, {
    known: false,
    skus: [],
    name: r.nt.source.slice(r.nt.from[r.tokens[first].start], r.nt.to[r.tokens[i].end - 1]),
  });
  return true;
}

export interface ExtractOptions {
  /** Known names and aliases → SKUs. */
  products?: PatternMatcher<string>;
  /** Words that never start an unknown product name (brand words, tenant vocabulary). */
  stopWords?: ReadonlySet<string>;
}

export interface Extraction {
  claims: Claim[];
  /** Sentence number of a token. */
  sentenceOf: (token: number) => number;
}

/** Every claim in the text, left to right. */
export function extractClaims(
  nt: NormalizedText,
  tokens: readonly Token[],
  options: ExtractOptions = {},
): Extraction {
  const r = new TokenReader(nt, tokens);
  if (options.products) {
    const matches = options.products.findIn(nt.text, tokens, {
      breakBefore: (i) => i > 0 && r.sentence[i] !== r.sentence[i - 1],
    });
    for (const m of matches)
      r.claim('product', m.firstToken, m.lastToken, { known: true, skus: [...m.values] });
    for (const c of r.claims) c.name = c.text;
  }
  const stop = options.stopWords ?? new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    if (!r.free(i)) continue;
    const t = tokens[i];
    if (t.kind === 'number' || t.kind === 'symbol' || (t.kind === 'word' && CURRENCY_SIGNS[t.text])) {
      if (money(r, i) || karat(r, i) || percentage(r, i) || timeBeforeDelivery(r, i) || countFirst(r, i))
        continue;
    }
    if (t.kind !== 'word' && t.kind !== 'symbol') continue;
    if (NUMBER_WORDS[t.text] !== undefined && (countFirst(r, i) || timeBeforeDelivery(r, i))) continue;
    if (t.text === 'next' || t.text === 'same' || t.text === 'overnight')
      if (timeBeforeDelivery(r, i)) continue;
    if (demonymMade(r, i)) continue;
    const cue = cueAt(r, i);
    if (cue) {
      let done = false;
      switch (cue.cue) {
        case 'material':
          done = material(r, i, cue.end, PURE.has(t.text));
          break;
        case 'material-or-origin':
          done = material(r, i, cue.end, false) || origin(r, i, cue.end, false);
          break;
        case 'origin':
          done = origin(r, i, cue.end, false);
          break;
        case 'origin-workshop':
          done = origin(r, i, cue.end, true);
          break;
        case 'stock-some':
          done = !!r.claim('stock', i, cue.end - 1, { relation: 'atLeast', count: 1 });
          break;
        case 'stock-none':
          done = !!r.claim('stock', i, cue.end - 1, { relation: 'none', count: 0 });
          break;
        case 'stock-low':
          done = !!r.claim('stock', i, cue.end - 1, { relation: 'low' });
          break;
        case 'stock-last-one':
          done = !!r.claim('stock', i, cue.end - 1, { relation: 'exactly', count: 1 });
          break;
        case 'stock-level':
          done = stockLevel(r, i, cue.end);
          break;
        case 'limited':
          done = limited(r, i, cue.end);
          break;
        case 'delivery':
          done = delivery(r, i, cue.end, false);
          break;
        case 'free-delivery':
          done = delivery(r, i, cue.end, true);
          break;
        case 'returns':
          done = returns(r, i, cue.end);
          break;
        case 'warranty':
          done = warranty(r, i, cue.end, false);
          break;
        case 'guarantee-word':
          done = warranty(r, i, cue.end, true);
          break;
        case 'price-match': {
          // "we do not price match" states the policy the other way round.
          let first = i;
          for (let k = i - 1; k >= Math.max(0, i - 3) && r.sameSentence(k, i) && r.free(k); k--)
            if (NEGATIONS.has(r.word(k) ?? '')) {
              first = k;
              break;
            }
          done = !!r.claim('price-match', first, cue.end - 1, first < i ? { negated: true } : {});
          break;
        }
        case 'guarantee':
        case 'superlative': {
          let end = cue.end;
          // "the most exclusive": the adjective belongs to the phrase.
          if (r.word(end - 1) === 'most' && r.word(end)) end++;
          done = !!r.claim(cue.cue, i, end - 1, {
            phrase: tokens
              .slice(i, end)
              .map((x) => x.text)
              .join(' '),
          });
          break;
        }
      }
      if (done) continue;
    }
    if (t.kind === 'word') {
      // "a cashmere scarf": a material right before a product noun.
      const m = r.lexicon(i, MATERIALS, 3);
      if (m && PRODUCT_NOUNS.has(r.word(m.end) ?? '') && r.free(m.end - 1)) {
        r.claim('material', i, m.end - 1, { material: m.value.name, tint: m.value.tint });
        continue;
      }
      unknownProduct(r, i, stop);
    }
  }
  const questions = new Set<number>();
  for (let i = 0; i < tokens.length; i++) if (tokens[i].text === '?') questions.add(r.sentence[i]);
  const claims = r.claims
    // A question asserts nothing: "is it 100 % cashmere?" is not a claim (its product mention still is).
    .filter((c) => c.kind === 'product' || !questions.has(r.sentence[c.firstToken]))
    .sort((a, b) => a.firstToken - b.firstToken);
  for (const c of claims) {
    if (!NEGATABLE.has(c.kind) || c.negated) continue;
    for (let k = c.firstToken - 1; k >= Math.max(0, c.firstToken - 2) && r.sameSentence(k, c.firstToken); k--)
      if (NEGATIONS.has(r.word(k) ?? '') && r.word(k) !== 'no') {
        c.negated = true;
        break;
      }
  }
  return { claims, sentenceOf: (t) => r.sentence[t] ?? -1 };
}
