import type { KnowledgeDocumentInput } from '@agentops/knowledge';
import { Random } from '../simulation/random';
import {
  APPROVED_CLAIMS,
  buildCorpusCatalog,
  CORPUS_NOW,
  corpusDocument,
  CorpusProduct,
  DELIVERY,
  DeliveryTier,
  INVENTED_LINES,
  ORIGINS,
  RETURN_DAYS,
  WARRANTY_MONTHS,
} from './corpus-catalog';

/**
 * The grounding corpus: customer- and operator-facing messages in the voices of the four agent
 * types, each claim labelled with its ground truth *by the generator* — which knows what it wrote
 * and why (a correct paraphrase, a wrong value, a fact read too long ago, an invented fact). It
 * imports nothing from the checker but the document's type, and phrases claims from its own
 * templates (synonyms, word orders, number formats), so the two cannot agree by construction.
 *
 *   generateGroundingCorpus({ seed: 7, skus: 5400, messages: 12000 })
 */

export type Truth = 'SUPPORTED' | 'CONTRADICTED' | 'STALE' | 'UNVERIFIABLE';
export type Injection = 'correct' | 'wrong' | 'stale' | 'invented';
export type CorpusAgent = 'personal shopper' | 'customer service' | 'dynamic pricing' | 'replenishment';

export interface TruthClaim {
  /** Span in the message text. */
  start: number;
  end: number;
  kind: string;
  truth: Truth;
  injection: Injection;
}

export interface CorpusMessage {
  id: string;
  agent: CorpusAgent;
  text: string;
  sku: string;
  region: string;
  claims: TruthClaim[];
}

export interface GroundingCorpus {
  seed: number;
  tenantId: string;
  kbVersion: number;
  now: number;
  document: KnowledgeDocumentInput;
  messages: CorpusMessage[];
}

class Message {
  private text = '';
  readonly claims: TruthClaim[] = [];
  t(s: string): this {
    this.text += s;
    return this;
  }
  c(s: string, kind: string, truth: Truth, injection: Injection): this {
    this.claims.push({ start: this.text.length, end: this.text.length + s.length, kind, truth, injection });
    this.text += s;
    return this;
  }
  get value(): string {
    return this.text;
  }
}

// ------------------------------------------------------------------ number and money formats

const group = (n: number, sep: string) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function eur(rnd: Random, amount: number): string {
  const v = Math.round(amount);
  switch (rnd.int(0, 7)) {
    case 0:
      return `€${group(v, ',')}`;
    case 1:
      return `€ ${group(v, ' ')}`;
    case 2:
      return `${group(v, '.')} €`;
    case 3:
      return `EUR ${v}`;
    case 4:
      return `${group(v, ',')} euros`;
    case 5:
      return `€${group(v, ',')}.00`;
    case 6:
      return `${group(v, ' ')} EUR`;
    default:
      return `€${v}`;
  }
}

function chf(rnd: Random, amount: number): string {
  return rnd.chance(0.5) ? `CHF ${group(amount, "'")}` : `${group(amount, ',')} CHF`;
}

const count = (rnd: Random, n: number) => (n <= 10 && rnd.chance(0.3) ? WORDS[n] : String(n));

// ------------------------------------------------------------------ business days (the generator's own)

const DAY = 86_400_000;
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
function businessDaysUntil(offsetDays: number): number {
  let n = 0;
  for (let d = 1; d <= offsetDays; d++) {
    const wd = new Date(CORPUS_NOW + d * DAY).getUTCDay();
    if (wd !== 0 && wd !== 6) n++;
  }
  return n;
}

// ------------------------------------------------------------------ claim writers

function mention(rnd: Random, p: CorpusProduct): string {
  const strip = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  switch (rnd.int(0, 9)) {
    case 0:
      return p.name.toUpperCase();
    case 1:
      return strip(p.name);
    case 2:
      return p.name.toLowerCase();
    case 3:
      return p.name.replace(' ', '-');
    case 4:
      return p.alias ?? p.name;
    case 5:
      return strip(p.name).toLowerCase();
    default:
      return p.name;
  }
}

function priceClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection): void {
  const truth: Truth = inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED';
  let amount = p.price;
  if (inj === 'wrong') {
    const factors = [0.8, 0.9, 1.1, 1.2, 1.5];
    do amount = Math.round((p.price * rnd.pick(factors)) / 10) * 10;
    while (amount === p.price || amount === p.compareAt);
  }
  const stale = p.stalePrice;
  const label: Truth = stale ? 'STALE' : truth;
  const useChf = inj === 'correct' && p.otherPrices.length > 0 && rnd.chance(0.3);
  const written = useChf ? chf(rnd, p.otherPrices[0].amount) : eur(rnd, amount);
  const lead = rnd.pick([
    'It is ',
    'It is priced at ',
    'Yours for ',
    'It comes to ',
    'The price is ',
    'Today it is ',
    'It retails at ',
    'It costs ',
    'It is yours for just ',
    'It comes in at ',
    'The retail price is ',
    'We can offer it at ',
  ]);
  m.t(lead)
    .c(written, 'price', label, stale ? 'stale' : inj)
    .t('. ');
}

function markdownClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection): void {
  const stale = p.stalePrice;
  if (!p.compareAt || !p.discountPercent) {
    // Invented markdown on a full-price item: the price is known, so the discount is false.
    const d = rnd.pick([10, 15, 20, 25]);
    const s = rnd.pick([`${d}% off`, `save ${d} %`, `a ${d} percent reduction`]);
    m.t('Right now it is ')
      .c(s, 'discount', stale ? 'STALE' : 'CONTRADICTED', stale ? 'stale' : 'invented')
      .t('. ');
    return;
  }
  let d = p.discountPercent;
  if (inj === 'wrong') d = d + rnd.pick([-5, 5, 10, 15]) || d + 5;
  const truth: Truth = stale ? 'STALE' : inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED';
  const injection: Injection = stale ? 'stale' : inj === 'wrong' ? 'wrong' : 'correct';
  switch (rnd.int(0, 5)) {
    case 0:
      m.t('Now ')
        .c(eur(rnd, p.price), 'price', stale ? 'STALE' : 'SUPPORTED', stale ? 'stale' : 'correct')
        .t(', that is ')
        .c(`${d}% off`, 'discount', truth, injection)
        .t('. ');
      break;
    case 1:
      m.t('It is ')
        .c(`${d} % off`, 'discount', truth, injection)
        .t(' the ')
        .c(
          `${eur(rnd, p.compareAt)} list price`,
          'price',
          stale ? 'STALE' : 'SUPPORTED',
          stale ? 'stale' : 'correct',
        )
        .t('. ');
      break;
    case 2:
      m.t('You ').c(`save ${d}%`, 'discount', truth, injection).t(' this week. ');
      break;
    case 3:
      m.t('It is ')
        .c(`reduced by ${d} per cent`, 'discount', truth, injection)
        .t(', ')
        .c(
          `down from ${eur(rnd, p.compareAt)}`,
          'price',
          stale ? 'STALE' : 'SUPPORTED',
          stale ? 'stale' : 'correct',
        )
        .t('. ');
      break;
    case 4: {
      const saving =
        inj === 'wrong' ? p.compareAt - p.price + rnd.pick([50, 100, 200]) : p.compareAt - p.price;
      m.t('That is ')
        .c(`${eur(rnd, saving)} off`, 'discount', truth, injection)
        .t(' the usual price. ');
      break;
    }
    default:
      m.t('It ')
        .c(
          `was ${eur(rnd, p.compareAt)}`,
          'price',
          stale ? 'STALE' : inj === 'wrong' ? 'SUPPORTED' : 'SUPPORTED',
          stale ? 'stale' : 'correct',
        )
        .t(' and is now ')
        .c(
          eur(rnd, inj === 'wrong' ? Math.round(p.price * 1.1) : p.price),
          'price',
          stale ? 'STALE' : inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED',
          stale ? 'stale' : inj,
        )
        .t('. ');
  }
}

function stockClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection, operator: boolean): void {
  const stale = p.staleStock;
  const label = (t: Truth): Truth => (stale ? 'STALE' : t);
  const injection: Injection = stale ? 'stale' : inj;
  if (operator) {
    let n = p.stock;
    if (inj === 'wrong') n = p.stock + rnd.pick([-3, -1, 2, 5, 12]) || p.stock + 4;
    if (n < 0) n = p.stock + 3;
    const s = rnd.pick([
      `${n} units on hand`,
      `stock is ${n} units`,
      `on-hand stock of ${n} units`,
      `inventory stands at ${n} units`,
      `${n} pieces left in the warehouse`,
    ]);
    m.c(s, 'stock', label(inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED'), injection);
    return;
  }
  const s = p.stock;
  if (inj === 'wrong') {
    const text =
      s === 0
        ? rnd.pick(['It is in stock', 'It is available now'])
        : s <= 5
          ? rnd.pick(['It is sold out', `Only ${s + 3} left`])
          : rnd.pick(['Only 2 left', 'It is sold out', `Just ${count(rnd, 3)} remaining`]);
    const lead = text.startsWith('It is ') ? 'It is ' : '';
    m.t(lead).c(text.slice(lead.length), 'stock', label('CONTRADICTED'), injection).t('. ');
    return;
  }
  let text: string;
  if (s === 0)
    text = rnd.pick([
      'sold out',
      'currently unavailable',
      'out of stock',
      'no longer available',
      'sold out for now',
    ]);
  else if (s === 1) text = rnd.pick(['the last one', 'only one left', 'the last piece']);
  else if (s <= 5)
    text = rnd.pick([
      `only ${count(rnd, s)} left`,
      `just ${s} remaining`,
      `${s} pieces left in stock`,
      `down to the last ${s}`,
      `${count(rnd, s)} left in ${p.colours[0]}`,
    ]);
  else
    text = rnd.pick([
      'in stock',
      'available now',
      `${s} units in stock`,
      'ready to ship',
      'available to ship today',
      'still available',
    ]);
  m.t(rnd.pick(['It is ', 'Good news: it is ', 'At the moment it is ']))
    .c(text, 'stock', label('SUPPORTED'), injection)
    .t('. ');
}

const LEATHERS = new Set(['calfskin', 'lambskin', 'goatskin', 'crocodile', 'ostrich', 'suede']);
const WRONG_POOL: Record<string, string[]> = {
  bags: ['nylon', 'python', 'canvas', 'lambskin', 'calfskin', 'alligator'],
  watches: ['steel', 'titanium', 'platinum', 'ceramic'],
  accessories: ['silk', 'wool', 'cashmere', 'linen', 'polyester', 'cotton'],
  shoes: ['suede', 'calfskin', 'canvas', 'lambskin'],
  'ready-to-wear': ['cashmere', 'silk', 'polyester', 'wool', 'cotton', 'viscose', 'linen'],
  jewellery: ['silver', 'platinum', 'brass'],
};

function materialClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection): void {
  if (!p.materials) {
    const invented = rnd.pick(['cashmere', 'calfskin', 'silk', 'platinum']);
    m.t('It is ')
      .c(
        rnd.pick([`crafted from ${invented}`, `made of ${invented}`, `100 % ${invented}`]),
        'material',
        'UNVERIFIABLE',
        'invented',
      )
      .t('. ');
    return;
  }
  const parts = p.materials;
  const main = parts[0];
  if (inj === 'wrong') {
    const kind = rnd.int(0, 2);
    if (kind === 0 && main.percent !== undefined && main.percent < 100) {
      m.t('It is ').c(`100 % ${main.material}`, 'material', 'CONTRADICTED', 'wrong').t('. ');
      return;
    }
    if (kind === 1 && main.karat) {
      const k = rnd.pick([9, 14, 22]);
      m.t('It is set in ')
        .c(`${k}k ${main.tint ?? ''} gold`.replace('  ', ' '), 'material', 'CONTRADICTED', 'wrong')
        .t('. ');
      return;
    }
    const has = new Set(parts.map((x) => x.material));
    const pool = WRONG_POOL[p.category].filter((x) => !has.has(x) && !(x === 'leather'));
    const w = rnd.pick(pool);
    m.t(rnd.pick(['It is ', 'The piece is ', 'Note that it is ']))
      .c(
        rnd.pick([`crafted from ${w}`, `made of ${w}`, `100 % ${w}`, `made from pure ${w}`]),
        'material',
        'CONTRADICTED',
        'wrong',
      )
      .t('. ');
    return;
  }
  // Correct paraphrases.
  if (main.material === 'gold') {
    const tint = main.tint ?? 'yellow';
    m.t('It is ')
      .c(
        rnd.pick([
          `${main.karat}k ${tint} gold`,
          `${main.karat}-carat ${tint} gold`,
          `made of ${main.karat} ct ${tint} gold`,
          `in ${tint} gold`,
        ]),
        'material',
        'SUPPORTED',
        'correct',
      )
      .t('. ');
    return;
  }
  if (parts.length === 2 && parts[0].percent && parts[1].percent) {
    if (rnd.chance(0.5))
      m.t('The composition is ')
        .c(`${parts[0].percent}% ${parts[0].material}`, 'material', 'SUPPORTED', 'correct')
        .t(' and ')
        .c(`${parts[1].percent}% ${parts[1].material}`, 'material', 'SUPPORTED', 'correct')
        .t('. ');
    else
      m.t('It is ')
        .c(`a blend of ${parts[0].material}`, 'material', 'SUPPORTED', 'correct')
        .t(' and ')
        .c(parts[1].material, 'material', 'SUPPORTED', 'correct')
        .t('. ');
    return;
  }
  const name = main.material;
  const options = [
    `crafted from ${name}`,
    `made of ${name}`,
    `cut from ${name}`,
    `crafted entirely from ${name}`,
  ];
  if (main.percent === 100) options.push(`100 % ${name}`, `100% ${name}`, `100 per cent ${name}`);
  if (['cashmere', 'silk', 'wool', 'cotton', 'linen', 'mohair'].includes(name))
    options.push(`woven from ${name}`, `spun from ${name}`);
  if (main.percent === 100 && ['cashmere', 'silk', 'wool', 'cotton', 'linen'].includes(name))
    options.push(`pure ${name}`);
  if (LEATHERS.has(name)) options.push('made of leather', `in supple ${name}`, 'crafted in fine leather');
  if (name === 'steel') options.push('made of stainless steel', 'in polished steel');
  m.t(rnd.pick(['It is ', 'The piece is ', 'Every one is ']))
    .c(rnd.pick(options), 'material', 'SUPPORTED', 'correct')
    .t('. ');
}

function originClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection): void {
  if (!p.origin) {
    const o = rnd.pick(ORIGINS);
    m.t('It is ')
      .c(rnd.pick([`made in ${o.name}`, `${o.demonym}-made`]), 'origin', 'UNVERIFIABLE', 'invented')
      .t('. ');
    return;
  }
  const o = p.origin;
  if (inj === 'wrong') {
    const sameCountry = ORIGINS.find((x) => x.country === o.country)!;
    const otherCity = sameCountry.cities.find((c) => c[0] !== o.city);
    if (o.city && otherCity && rnd.chance(0.4)) {
      m.t('It is ').c(`handmade in ${otherCity[1]}`, 'origin', 'CONTRADICTED', 'wrong').t('. ');
      return;
    }
    const other = rnd.pick(ORIGINS.filter((x) => x.country !== o.country));
    m.t('It is ')
      .c(
        rnd.pick([
          `made in ${other.name}`,
          `${other.demonym}-made`,
          `crafted in ${other.name}`,
          `${other.demonym} made`,
        ]),
        'origin',
        'CONTRADICTED',
        'wrong',
      )
      .t('. ');
    return;
  }
  if (!o.city && rnd.chance(0.15)) {
    // More precise than the record: a city the KB cannot confirm.
    const c = ORIGINS.find((x) => x.country === o.country)!.cities[0];
    m.t('It is ').c(`made in ${c[1]}`, 'origin', 'UNVERIFIABLE', 'invented').t('. ');
    return;
  }
  const options = [
    `made in ${o.countryName}`,
    `${o.demonym}-made`,
    `crafted in ${o.countryName}`,
    `${o.demonym} made`,
    `produced in ${o.countryName}`,
    `made by hand in ${o.countryName}`,
    `designed and made in ${o.countryName}`,
    `manufactured in ${o.countryName}`,
  ];
  if (o.cityName)
    options.push(
      `handmade in ${o.cityName}`,
      `produced in our ${o.cityName} workshop`,
      `from our ${o.cityName} atelier`,
    );
  m.t(rnd.pick(['It is ', 'Each one is ', 'It was ']))
    .c(rnd.pick(options), 'origin', 'SUPPORTED', 'correct')
    .t('. ');
}

function limitedClaim(m: Message, rnd: Random, p: CorpusProduct, inj: Injection): void {
  if (!p.limited) {
    const n = rnd.pick([100, 200, 500]);
    m.t('It is ').c(`limited to ${n} pieces`, 'limited-edition', 'UNVERIFIABLE', 'invented').t('. ');
    return;
  }
  let n = p.limited;
  if (inj === 'wrong') n = p.limited + rnd.pick([-20, 50, 100, 250]);
  const truth: Truth = inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED';
  const s = rnd.pick([
    `limited to ${n} pieces`,
    `one of only ${n} made`,
    `a numbered edition of ${n}`,
    `only ${n} pieces worldwide`,
  ]);
  m.t('It is ')
    .c(s, 'limited-edition', truth, inj === 'wrong' ? 'wrong' : 'correct')
    .t('. ');
}

function deliveryClaim(m: Message, rnd: Random, tier: DeliveryTier, inj: Injection): void {
  const T = tier.tier;
  if (inj === 'wrong') {
    const options: string[] = [];
    if (tier.maxDays > 1)
      options.push(
        `${T} delivery arrives tomorrow`,
        `${T} delivery arrives within ${tier.maxDays - 1} business days`,
      );
    if (tier.minDays < tier.maxDays) options.push(`${T} delivery takes ${tier.minDays} business days`);
    if (!tier.free) options.push(`free ${T} delivery`);
    const early = [1, 2, 3, 4, 5, 6, 7].filter((d) => {
      const wd = new Date(CORPUS_NOW + d * DAY).getUTCDay();
      return wd !== 0 && wd !== 6 && businessDaysUntil(d) < tier.maxDays;
    });
    if (early.length)
      options.push(
        `with ${T} delivery it arrives by ${WEEKDAY_NAMES[new Date(CORPUS_NOW + rnd.pick(early) * DAY).getUTCDay()]}`,
      );
    if (options.length === 0) options.push(`${T} delivery arrives today`);
    const s = rnd.pick(options);
    m.c(s[0].toUpperCase() + s.slice(1), 'delivery', 'CONTRADICTED', 'wrong').t('. ');
    return;
  }
  const options = [
    `${T} delivery takes ${tier.minDays}-${tier.maxDays} business days`,
    `${T} delivery arrives within ${tier.maxDays} business days`,
    `${T} delivery will be with you in ${tier.minDays} to ${tier.maxDays} working days`,
    `${T} delivery arrives within ${tier.maxDays + 1} business days`,
    `${T} delivery should reach you in ${tier.minDays} to ${tier.maxDays} working days`,
    `with ${T} shipping it takes ${tier.maxDays} business days`,
  ];
  if (tier.maxDays === 1) options.push(`with ${T} delivery it arrives tomorrow`, `${T} next-day delivery`);
  if (tier.free) options.push(`complimentary ${T} delivery`);
  const late = [4, 5, 6, 7, 8].filter((d) => {
    const wd = new Date(CORPUS_NOW + d * DAY).getUTCDay();
    return wd !== 0 && wd !== 6 && businessDaysUntil(d) >= tier.maxDays;
  });
  if (late.length)
    options.push(
      `with ${T} delivery it arrives by ${WEEKDAY_NAMES[new Date(CORPUS_NOW + late[0] * DAY).getUTCDay()]}`,
    );
  const s = rnd.pick(options);
  m.c(s[0].toUpperCase() + s.slice(1), 'delivery', 'SUPPORTED', 'correct').t('. ');
}

function returnsClaim(m: Message, rnd: Random, inj: Injection): void {
  const days = inj === 'wrong' ? rnd.pick([14, 60, 90, 100]) : RETURN_DAYS;
  const word = days === 30 && rnd.chance(0.3) ? 'thirty' : String(days);
  const s = rnd.pick([
    `free returns within ${word} days`,
    `${days}-day free returns`,
    `you can return it within ${word} days`,
    `returns are free for ${days} days`,
    `complimentary returns within ${days} days`,
    `a ${days}-day return window`,
    `returns accepted within ${days} days`,
    `${word} days to return it`,
    `exchanges within ${days} days`,
  ]);
  m.t(rnd.pick(['We offer ', 'As always, ', 'Remember: ', '']))
    .c(s, 'returns', inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED', inj === 'wrong' ? 'wrong' : 'correct')
    .t('. ');
}

function warrantyClaim(m: Message, rnd: Random, inj: Injection): void {
  const s =
    inj === 'wrong'
      ? rnd.pick([
          'a 5-year warranty',
          'a lifetime warranty',
          'a one-year warranty',
          'a 36-month warranty',
          'guaranteed for ten years',
        ])
      : rnd.pick([
          `a ${WARRANTY_MONTHS / 12}-year warranty`,
          'a two-year warranty',
          `a ${WARRANTY_MONTHS}-month warranty`,
          'a warranty of 2 years',
          'guaranteed for two years',
        ]);
  const article = /^(a|an) /.exec(s)?.[0] ?? '';
  m.t(rnd.pick(['It comes with ', 'Every piece carries ', 'You are covered by ']) + article)
    .c(
      s.slice(article.length),
      'warranty',
      inj === 'wrong' ? 'CONTRADICTED' : 'SUPPORTED',
      inj === 'wrong' ? 'wrong' : 'correct',
    )
    .t('. ');
}

function priceMatchClaim(m: Message, rnd: Random, inj: Injection): void {
  if (inj === 'wrong')
    m.t('And ')
      .c(
        rnd.pick([
          'we will match any lower price',
          'we offer a price match guarantee',
          'we match competitor prices',
        ]),
        'price-match',
        'CONTRADICTED',
        'wrong',
      )
      .t('. ');
  else
    m.t('Please note ')
      .c(
        rnd.pick(['we do not price match', 'we do not offer price matching']),
        'price-match',
        'SUPPORTED',
        'correct',
      )
      .t('. ');
}

function wordingClaim(m: Message, rnd: Random, inj: Injection): void {
  if (inj === 'correct') {
    const approved = rnd.pick(APPROVED_CLAIMS);
    m.t(rnd.pick(['And ', 'Better still, ', '']))
      .c(approved.text, approved.id === 'numbered' ? 'superlative' : 'guarantee', 'SUPPORTED', 'correct')
      .t('. ');
    return;
  }
  const [text, kind] = rnd.pick([
    ['it will appreciate in value', 'guarantee'],
    ['it is a sound investment', 'guarantee'],
    ['it holds its value for decades', 'guarantee'],
    ['it is the finest piece in the collection', 'superlative'],
    ['the craftsmanship is unrivalled', 'superlative'],
    ['it is our best-selling piece', 'superlative'],
  ] as const);
  const key = {
    'it will appreciate in value': 'will appreciate',
    'it is a sound investment': 'a sound investment',
    'it holds its value for decades': 'holds its value',
    'it is the finest piece in the collection': 'the finest',
    'the craftsmanship is unrivalled': 'unrivalled',
    'it is our best-selling piece': 'best-selling',
  }[text];
  const at = text.indexOf(key);
  m.t(rnd.pick(['Honestly, ', 'Between us, ', '']))
    .t(text.slice(0, at))
    .c(key, kind, 'UNVERIFIABLE', 'invented')
    .t(text.slice(at + key.length))
    .t('. ');
}

// ------------------------------------------------------------------ the four voices

const FIRST = [
  'Ana',
  'Louis',
  'Mei',
  'Sofia',
  'Jonas',
  'Amara',
  'Theo',
  'Ines',
  'Kenji',
  'Lena',
  'Chloé',
  'Mateo',
];
const LAST = ['Martin', 'Rossi', 'Dubois', 'Tanaka', 'Nguyen', 'Schmidt', 'Moreau', 'Silva'];
const CLOSERS = [
  'Shall I reserve it for you?',
  'Warm regards, Claire.',
  'Let me know if you would like me to hold it.',
  'It would pair beautifully with your navy coat.',
  '',
  'Your appointment is on Friday at 11:00.',
  'I have reserved it in size 38 for 48 hours.',
  'Your client number is 48213.',
];

function mix(rnd: Random): Injection {
  const r = rnd.next();
  return r < 0.62 ? 'correct' : r < 0.88 ? 'wrong' : 'invented';
}

function personalShopper(rnd: Random, p: CorpusProduct, region: string, invented: boolean): Message {
  const m = new Message();
  const first = rnd.pick(FIRST);
  if (invented) {
    const fake = `${rnd.pick(INVENTED_LINES)} ${p.model}`;
    m.t(`${first}, the `).c(fake, 'product', 'UNVERIFIABLE', 'invented').t(' would suit you perfectly. ');
    // Claims about a product the KB does not know are unverifiable whatever they say.
    const w = rnd.pick(['crafted from cashmere', 'made in Italy', `limited to 200 pieces`]);
    m.t('It is ')
      .c(
        w,
        w.startsWith('made in') ? 'origin' : w.startsWith('limited') ? 'limited-edition' : 'material',
        'UNVERIFIABLE',
        'invented',
      )
      .t('. ');
    return m;
  }
  m.t(rnd.pick([`${first}, the `, `Dear ${first}, I thought of you: the `, `${first} — the `]))
    .c(mention(rnd, p), 'product', 'SUPPORTED', 'correct')
    .t(
      rnd.pick([' would complete your last purchase. ', ' has just arrived. ', ' is back for the season. ']),
    );
  const writers = [
    () => materialClaim(m, rnd, p, mix(rnd)),
    () => originClaim(m, rnd, p, mix(rnd)),
    () => priceClaim(m, rnd, p, mix(rnd)),
    () => stockClaim(m, rnd, p, mix(rnd), false),
    () => limitedClaim(m, rnd, p, mix(rnd)),
    () => wordingClaim(m, rnd, rnd.chance(0.5) ? 'correct' : 'invented'),
    () => deliveryClaim(m, rnd, rnd.pick(DELIVERY.filter((d) => d.region === region)), mix(rnd)),
  ];
  const n = rnd.int(2, 4);
  for (let k = 0; k < n; k++) rnd.pick(writers)();
  m.t(rnd.pick(CLOSERS));
  return m;
}

function customerService(rnd: Random, p: CorpusProduct, region: string): Message {
  const m = new Message();
  m.t(`Dear ${rnd.pick(FIRST)} ${rnd.pick(LAST)}, thank you for your order of the `)
    .c(mention(rnd, p), 'product', 'SUPPORTED', 'correct')
    .t('. ');
  const writers = [
    () => deliveryClaim(m, rnd, rnd.pick(DELIVERY.filter((d) => d.region === region)), mix(rnd)),
    () => returnsClaim(m, rnd, mix(rnd) === 'wrong' ? 'wrong' : 'correct'),
    () => warrantyClaim(m, rnd, mix(rnd) === 'wrong' ? 'wrong' : 'correct'),
    () => priceMatchClaim(m, rnd, rnd.chance(0.5) ? 'wrong' : 'correct'),
    () => stockClaim(m, rnd, p, mix(rnd), false),
  ];
  const n = rnd.int(1, 3);
  for (let k = 0; k < n; k++) rnd.pick(writers)();
  m.t(
    rnd.pick([
      'Kind regards, the client service team.',
      'We remain at your disposal.',
      '',
      'Your order number is 30412.',
      'The courier will call 30 minutes before arrival.',
    ]),
  );
  return m;
}

function dynamicPricing(rnd: Random, p: CorpusProduct): Message {
  const m = new Message();
  m.t(rnd.pick(['Price update — ', 'Markdown notice: ', 'Pricing: ']))
    .c(mention(rnd, p), 'product', 'SUPPORTED', 'correct')
    .t(` (`)
    .c(p.sku, 'product', 'SUPPORTED', 'correct')
    .t('). ');
  if (p.compareAt && rnd.chance(0.7)) markdownClaim(m, rnd, p, mix(rnd) === 'wrong' ? 'wrong' : 'correct');
  else if (rnd.chance(0.3)) markdownClaim(m, rnd, p, 'invented');
  else priceClaim(m, rnd, p, mix(rnd) === 'wrong' ? 'wrong' : 'correct');
  m.t(rnd.pick(['Effective immediately.', 'Applied to the EU storefront.', '']));
  return m;
}

function replenishment(rnd: Random, p: CorpusProduct): Message {
  const m = new Message();
  m.t(rnd.pick(['Restock note for ', 'Replenishment: ', 'Inventory check — ']))
    .c(p.sku, 'product', 'SUPPORTED', 'correct')
    .t(' (')
    .c(mention(rnd, p), 'product', 'SUPPORTED', 'correct')
    .t('): ');
  stockClaim(m, rnd, p, mix(rnd) === 'wrong' ? 'wrong' : 'correct', true);
  m.t(
    rnd.pick([
      `; reorder ${rnd.int(10, 80)} before the weekend.`,
      `, forecast ${rnd.int(20, 200)} for the next 30 days.`,
      '.',
    ]),
  );
  return m;
}

export interface CorpusOptions {
  seed?: number;
  skus?: number;
  messages?: number;
}

export function generateGroundingCorpus(options: CorpusOptions = {}): GroundingCorpus {
  const seed = options.seed ?? 7;
  const products = buildCorpusCatalog(seed, options.skus ?? 5400);
  const rnd = new Random(seed * 977 + 13);
  const regions = ['EU', 'EU', 'EU', 'UK', 'US', 'CH'];
  const messages: CorpusMessage[] = [];
  const total = options.messages ?? 12000;
  for (let i = 0; i < total; i++) {
    const p = products[rnd.int(0, products.length - 1)];
    const region = rnd.pick(regions);
    const r = rnd.next();
    const agent: CorpusAgent =
      r < 0.4
        ? 'personal shopper'
        : r < 0.7
          ? 'customer service'
          : r < 0.85
            ? 'dynamic pricing'
            : 'replenishment';
    const m =
      agent === 'personal shopper'
        ? personalShopper(rnd, p, region, rnd.chance(0.04))
        : agent === 'customer service'
          ? customerService(rnd, p, region)
          : agent === 'dynamic pricing'
            ? dynamicPricing(rnd, p)
            : replenishment(rnd, p);
    messages.push({
      id: `msg-${String(i).padStart(5, '0')}`,
      agent,
      text: m.value.trim(),
      sku: p.sku,
      region,
      claims: m.claims,
    });
  }
  return {
    seed,
    tenantId: 'maison-demo',
    kbVersion: 1,
    now: CORPUS_NOW,
    document: corpusDocument(products),
    messages,
  };
}
