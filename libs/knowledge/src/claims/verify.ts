import { CompiledKnowledge } from '../compile';
import { evaluateFreshness } from '../freshness';
import { DataClass, DeliveryPromise, MaterialPart, ProductFact } from '../knowledge-base';
import { MATERIALS } from '../text/lexicon';
import { squash } from '../text/normalize';
import { Claim, ClaimedDate } from './claim';

export type Verdict = 'SUPPORTED' | 'CONTRADICTED' | 'STALE' | 'UNVERIFIABLE';
export const VERDICTS: readonly Verdict[] = ['SUPPORTED', 'CONTRADICTED', 'STALE', 'UNVERIFIABLE'];

/** The fact a verdict rests on: `product/MD-BAG-00012` field `materials` at kbVersion 7. */
export interface Citation {
  record: string;
  field: string;
  kbVersion: number;
  /** The approved value, as the reason states it. */
  value?: unknown;
  asOf?: string;
}

export interface ClaimVerdict {
  claim: Claim;
  verdict: Verdict;
  /** One sentence a reviewer (or the agent) can act on, with the correct fact when contradicted. */
  reason: string;
  citation?: Citation;
}

export interface CheckContext {
  /** The instant facts are judged at (freshness, "tomorrow", copy validity). */
  now: number;
  /** The intent's product, for claims that name none. */
  sku?: string;
  /** The customer's delivery region and tier, when the intent knows them. */
  region?: string;
  tier?: string;
  campaign?: string;
}

/** "Only a few left" holds for this many or fewer. */
export const LOW_STOCK_MAX = 5;

const PRODUCT_KINDS = new Set(['price', 'discount', 'stock', 'limited-edition', 'material', 'origin']);
const PARENT: Record<string, string | undefined> = Object.fromEntries(
  Object.values(MATERIALS).map((m) => [m.name, m.parent]),
);

/** "EUR 2,150" / "EUR 2,150.50" (Intl formatting would cost more than the whole check). */
function money(amount: number, currency: string): string {
  const cents = Math.round(amount * 100);
  const whole = Math.trunc(cents / 100);
  let digits = String(Math.abs(whole));
  for (let i = digits.length - 3; i > 0; i -= 3) digits = `${digits.slice(0, i)},${digits.slice(i)}`;
  const frac = Math.abs(cents % 100);
  return `${currency} ${whole < 0 ? '-' : ''}${digits}${frac ? `.${String(frac).padStart(2, '0')}` : ''}`;
}
const same = (a: number, b: number, tolerance = 0.005) => Math.abs(a - b) <= tolerance;

function composition(parts: readonly MaterialPart[]): string {
  return parts
    .map(
      (p) =>
        `${p.percent !== undefined ? `${p.percent} % ` : ''}${p.karat ? `${p.karat}k ` : ''}${p.tint ? `${p.tint} ` : ''}${p.material}`,
    )
    .join(', ');
}

class Judge {
  constructor(
    private readonly kb: CompiledKnowledge,
    private readonly ctx: CheckContext,
  ) {}

  private get kbVersion() {
    return this.kb.version.kbVersion;
  }

  private cite(record: string, field: string, value?: unknown, asOf?: string): Citation {
    return {
      record,
      field,
      kbVersion: this.kbVersion,
      ...(value !== undefined ? { value } : {}),
      ...(asOf ? { asOf } : {}),
    };
  }

  private result(claim: Claim, verdict: Verdict, reason: string, citation?: Citation): ClaimVerdict {
    return { claim, verdict, reason, ...(citation ? { citation } : {}) };
  }

  /** SUPPORTED/CONTRADICTED become STALE when the fact is older than its class allows. */
  private fresh(v: ClaimVerdict, dataClass: DataClass, asOf?: string): ClaimVerdict {
    if (v.verdict === 'UNVERIFIABLE') return v;
    const f = evaluateFreshness(this.kb.version.document, dataClass, asOf, this.ctx.now);
    if (!f.stale) return v;
    return {
      ...v,
      verdict: 'STALE',
      reason: `${dataClass} fact read ${Math.round(f.ageSeconds)} s ago (limit ${f.limitSeconds} s): ${v.reason}`,
      citation: v.citation ? { ...v.citation, asOf: f.asOf } : undefined,
    };
  }

  judge(claim: Claim): ClaimVerdict {
    const v = this.judgeAsWritten(claim);
    if (!claim.negated || claim.kind === 'price-match') return v;
    // "is not 100 % cashmere": true exactly when the positive claim is false.
    if (v.verdict === 'SUPPORTED')
      return { ...v, verdict: 'CONTRADICTED', reason: `denies what holds: ${v.reason}` };
    if (v.verdict === 'CONTRADICTED')
      return { ...v, verdict: 'SUPPORTED', reason: `rightly denies it: ${v.reason}` };
    return v;
  }

  private judgeAsWritten(claim: Claim): ClaimVerdict {
    if (claim.kind === 'product') return this.product(claim);
    if (PRODUCT_KINDS.has(claim.kind)) {
      if (!claim.subject) {
        const why = claim.subjectIssue ?? 'the message names no known product';
        return this.result(claim, 'UNVERIFIABLE', `${claim.kind} claim "${claim.text}": ${why}`);
      }
      const p = this.kb.products.get(claim.subject);
      if (!p) return this.result(claim, 'UNVERIFIABLE', `no product ${claim.subject} in the knowledge base`);
      switch (claim.kind) {
        case 'price':
          return this.fresh(this.price(claim, p), 'price', p.asOf?.price);
        case 'discount':
          return this.fresh(this.discount(claim, p), 'price', p.asOf?.price);
        case 'stock':
          return this.fresh(this.stock(claim, p), 'stock', p.asOf?.stock);
        case 'limited-edition':
          return this.fresh(this.limited(claim, p), 'product');
        case 'material':
          return this.fresh(this.material(claim, p), 'product');
        case 'origin':
          return this.fresh(this.origin(claim, p), 'product');
      }
    }
    switch (claim.kind) {
      case 'delivery':
        return this.fresh(this.delivery(claim), 'policy');
      case 'returns':
        return this.fresh(this.returns(claim), 'policy');
      case 'warranty':
        return this.fresh(this.warranty(claim), 'policy');
      case 'price-match':
        return this.fresh(this.priceMatch(claim), 'policy');
      default:
        return this.approvedStatement(claim);
    }
  }

  private product(claim: Claim): ClaimVerdict {
    const skus = claim.skus ?? [];
    if (!claim.known || skus.length === 0)
      return this.result(claim, 'UNVERIFIABLE', `no product named "${claim.text}" in the knowledge base`);
    const sku = this.ctx.sku && skus.includes(this.ctx.sku) ? this.ctx.sku : skus[0];
    const more = skus.length > 1 ? ` (one of ${skus.length} products with this name)` : '';
    return this.result(
      claim,
      'SUPPORTED',
      `"${claim.text}" is ${sku}${more}`,
      this.cite(`product/${sku}`, 'name', this.kb.products.get(sku)?.name),
    );
  }

  private price(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    const amount = claim.amount!;
    const currency = claim.currency!;
    if (currency !== p.price.currency) {
      const other = p.otherPrices.find((m) => m.currency === currency);
      if (!other)
        return this.result(
          claim,
          'UNVERIFIABLE',
          `${p.sku} has no approved price in ${currency}`,
          this.cite(record, 'otherPrices'),
        );
      if (claim.role === 'regular')
        return this.result(
          claim,
          'UNVERIFIABLE',
          `${p.sku} has no approved regular price in ${currency}`,
          this.cite(record, 'otherPrices'),
        );
      return same(other.amount, amount)
        ? this.result(
            claim,
            'SUPPORTED',
            `${p.sku} costs ${money(other.amount, currency)}`,
            this.cite(record, 'otherPrices', other),
          )
        : this.result(
            claim,
            'CONTRADICTED',
            `claims ${money(amount, currency)}; ${p.sku} costs ${money(other.amount, currency)}`,
            this.cite(record, 'otherPrices', other),
          );
    }
    if (claim.role === 'regular') {
      if (p.compareAtPrice === undefined)
        return this.result(
          claim,
          'CONTRADICTED',
          `claims a regular price of ${money(amount, currency)}; ${p.sku} is not marked down (${money(p.price.amount, currency)})`,
          this.cite(record, 'compareAtPrice', null),
        );
      return same(p.compareAtPrice, amount)
        ? this.result(
            claim,
            'SUPPORTED',
            `${p.sku} was ${money(p.compareAtPrice, currency)}`,
            this.cite(record, 'compareAtPrice', p.compareAtPrice),
          )
        : this.result(
            claim,
            'CONTRADICTED',
            `claims it was ${money(amount, currency)}; ${p.sku}'s regular price is ${money(p.compareAtPrice, currency)}`,
            this.cite(record, 'compareAtPrice', p.compareAtPrice),
          );
    }
    if (same(p.price.amount, amount))
      return this.result(
        claim,
        'SUPPORTED',
        `${p.sku} costs ${money(p.price.amount, currency)}`,
        this.cite(record, 'price', p.price),
      );
    return this.result(
      claim,
      'CONTRADICTED',
      `claims ${money(amount, currency)}; ${p.sku} costs ${money(p.price.amount, currency)}`,
      this.cite(record, 'price', p.price),
    );
  }

  /** A discount is derived from the regular and the current price. */
  private discount(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    const { amount: price, currency } = p.price;
    if (p.compareAtPrice === undefined)
      return this.result(
        claim,
        'CONTRADICTED',
        `claims a discount; ${p.sku} is not marked down (${money(price, currency)})`,
        this.cite(record, 'compareAtPrice', null),
      );
    const saving = p.compareAtPrice - price;
    const percent = (saving / p.compareAtPrice) * 100;
    const value = { price, compareAtPrice: p.compareAtPrice, percent: Math.round(percent * 100) / 100 };
    const fact = `${money(price, currency)}, down from ${money(p.compareAtPrice, currency)} (${value.percent} % off)`;
    if (claim.percent !== undefined)
      return Math.abs(claim.percent - percent) <= 0.5
        ? this.result(
            claim,
            'SUPPORTED',
            `${p.sku} is ${fact}`,
            this.cite(record, 'price,compareAtPrice', value),
          )
        : this.result(
            claim,
            'CONTRADICTED',
            `claims ${claim.percent} % off; ${p.sku} is ${fact}`,
            this.cite(record, 'price,compareAtPrice', value),
          );
    if (claim.currency !== currency)
      return this.result(
        claim,
        'UNVERIFIABLE',
        `${p.sku} has no approved price in ${claim.currency}`,
        this.cite(record, 'price'),
      );
    return same(claim.amount!, saving, 0.5)
      ? this.result(
          claim,
          'SUPPORTED',
          `${p.sku} is ${fact}`,
          this.cite(record, 'price,compareAtPrice', value),
        )
      : this.result(
          claim,
          'CONTRADICTED',
          `claims ${money(claim.amount!, currency)} off; ${p.sku} is ${fact}`,
          this.cite(record, 'price,compareAtPrice', value),
        );
  }

  private stock(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    if (p.stock === undefined) return this.result(claim, 'UNVERIFIABLE', `no stock level for ${p.sku}`);
    const s = p.stock;
    const ok =
      claim.relation === 'exactly'
        ? s === claim.count
        : claim.relation === 'atLeast'
          ? s > 0
          : claim.relation === 'none'
            ? s === 0
            : s > 0 && s <= LOW_STOCK_MAX;
    const said =
      claim.relation === 'exactly'
        ? `${claim.count} in stock`
        : claim.relation === 'atLeast'
          ? 'in stock'
          : claim.relation === 'none'
            ? 'sold out'
            : 'only a few left';
    return ok
      ? this.result(claim, 'SUPPORTED', `${p.sku} has ${s} in stock`, this.cite(record, 'stock', s))
      : this.result(
          claim,
          'CONTRADICTED',
          `claims ${said}; ${p.sku} has ${s} in stock`,
          this.cite(record, 'stock', s),
        );
  }

  private limited(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    if (!p.limitedEdition)
      return this.result(claim, 'UNVERIFIABLE', `${p.sku} is not recorded as a limited edition`);
    return p.limitedEdition.total === claim.count
      ? this.result(
          claim,
          'SUPPORTED',
          `${p.sku} is limited to ${p.limitedEdition.total} pieces`,
          this.cite(record, 'limitedEdition', p.limitedEdition.total),
        )
      : this.result(
          claim,
          'CONTRADICTED',
          `claims ${claim.count} pieces; ${p.sku} is limited to ${p.limitedEdition.total}`,
          this.cite(record, 'limitedEdition', p.limitedEdition.total),
        );
  }

  private material(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    if (!p.materials || p.materials.length === 0)
      return this.result(claim, 'UNVERIFIABLE', `no composition recorded for ${p.sku}`);
    const fact = composition(p.materials);
    const cite = this.cite(record, 'materials', fact);
    const isA = (m: string, wanted: string) => {
      for (let x: string | undefined = m, k = 0; x && k < 4; x = PARENT[x], k++)
        if (x === wanted) return true;
      return false;
    };
    const part = p.materials.find((m) => isA(m.material, claim.material!));
    const what = claim.text;
    if (!part) return this.result(claim, 'CONTRADICTED', `claims ${what}; ${p.sku} is ${fact}`, cite);
    if (claim.percent !== undefined) {
      const share = part.percent ?? (p.materials.length === 1 ? 100 : undefined);
      if (share === undefined)
        return this.result(
          claim,
          'UNVERIFIABLE',
          `no share of ${part.material} recorded for ${p.sku} (${fact})`,
          cite,
        );
      if (Math.abs(share - claim.percent) > 0.5)
        return this.result(claim, 'CONTRADICTED', `claims ${what}; ${p.sku} is ${fact}`, cite);
    }
    if (claim.karat !== undefined) {
      if (part.karat === undefined)
        return this.result(claim, 'UNVERIFIABLE', `no karat recorded for ${p.sku} (${fact})`, cite);
      if (part.karat !== claim.karat)
        return this.result(claim, 'CONTRADICTED', `claims ${what}; ${p.sku} is ${fact}`, cite);
    }
    if (claim.tint && part.tint && claim.tint !== part.tint)
      return this.result(claim, 'CONTRADICTED', `claims ${what}; ${p.sku} is ${fact}`, cite);
    return this.result(claim, 'SUPPORTED', `${p.sku} is ${fact}`, cite);
  }

  private origin(claim: Claim, p: ProductFact): ClaimVerdict {
    const record = `product/${p.sku}`;
    if (!p.origin) return this.result(claim, 'UNVERIFIABLE', `no origin recorded for ${p.sku}`);
    const fact = p.origin.city ? `${p.origin.city}, ${p.origin.country}` : p.origin.country;
    const cite = this.cite(record, 'origin', fact);
    if (claim.country !== p.origin.country)
      return this.result(claim, 'CONTRADICTED', `claims ${claim.text}; ${p.sku} is made in ${fact}`, cite);
    if (claim.city) {
      if (!p.origin.city)
        return this.result(claim, 'UNVERIFIABLE', `${p.sku} is made in ${fact}; no city recorded`, cite);
      if (squash(claim.city) !== squash(p.origin.city))
        return this.result(claim, 'CONTRADICTED', `claims ${claim.text}; ${p.sku} is made in ${fact}`, cite);
    }
    return this.result(claim, 'SUPPORTED', `${p.sku} is made in ${fact}`, cite);
  }

  private promises(claim: Claim): DeliveryPromise[] {
    const all = this.kb.version.document.policies.delivery;
    const region = this.ctx.region;
    let inRegion = region ? all.filter((d) => d.region === region) : [];
    if (inRegion.length === 0) inRegion = all.filter((d) => d.region === '*');
    if (inRegion.length === 0 && !region) inRegion = all;
    const tier = claim.tierHint ?? this.ctx.tier;
    if (tier) {
      const t = inRegion.filter((d) => d.tier.toLowerCase() === tier.toLowerCase());
      if (t.length > 0) return t;
      if (claim.tierHint) return [];
    }
    return inRegion;
  }

  private delivery(claim: Claim): ClaimVerdict {
    const candidates = this.promises(claim);
    const region = this.ctx.region ?? '*';
    if (candidates.length === 0)
      return this.result(
        claim,
        'UNVERIFIABLE',
        `no delivery promise for region ${region}${claim.tierHint ? `, tier ${claim.tierHint}` : ''}`,
      );
    const record = (d: DeliveryPromise) => `policy/delivery/${d.region}/${d.tier}`;
    const describe = (d: DeliveryPromise) =>
      `${d.tier} delivery to ${d.region} takes ${d.minDays}–${d.maxDays} ${d.businessDays ? 'business ' : ''}days${d.free ? ', free' : ''}`;
    let pool = candidates;
    if (claim.free) {
      pool = candidates.filter((d) => d.free);
      if (pool.length === 0)
        return this.result(
          claim,
          'CONTRADICTED',
          `claims free delivery; ${candidates.map(describe).join('; ')}`,
          this.cite(record(candidates[0]), 'free', false),
        );
      if (claim.days === undefined && !claim.date)
        return this.result(claim, 'SUPPORTED', describe(pool[0]), this.cite(record(pool[0]), 'free', true));
    }
    const kept = pool.find((d) => this.claimedDays(claim, d.businessDays) >= d.maxDays);
    if (kept)
      return this.result(
        claim,
        'SUPPORTED',
        describe(kept),
        this.cite(record(kept), 'maxDays', kept.maxDays),
      );
    const fastest = pool.reduce((a, b) => (b.maxDays < a.maxDays ? b : a));
    return this.result(
      claim,
      'CONTRADICTED',
      `promises "${claim.text}"; ${describe(fastest)}`,
      this.cite(record(fastest), 'maxDays', fastest.maxDays),
    );
  }

  /** The claim's delivery time in the promise's unit, counted from `now` (UTC days). */
  private claimedDays(claim: Claim, business: boolean): number {
    const today = Math.floor(this.ctx.now / 86_400_000);
    let calendarDays: number;
    if (claim.date) calendarDays = daysUntil(claim.date, today);
    else if (claim.days !== undefined) {
      if ((claim.dayUnit === 'business') === business) return claim.days;
      if (claim.dayUnit === 'business') return calendarDaysFor(claim.days, today);
      calendarDays = claim.days;
    } else return Number.POSITIVE_INFINITY;
    return business ? businessDaysWithin(today, calendarDays) : calendarDays;
  }

  private returns(claim: Claim): ClaimVerdict {
    const policy = this.kb.version.document.policies.returns;
    if (!policy) return this.result(claim, 'UNVERIFIABLE', 'no return policy in the knowledge base');
    const fact = `returns within ${policy.windowDays} days, ${policy.free ? 'free' : 'at the customer’s cost'}`;
    if (claim.days !== undefined && claim.days !== policy.windowDays)
      return this.result(
        claim,
        'CONTRADICTED',
        `claims ${claim.text}; the policy is ${fact}`,
        this.cite('policy/returns', 'windowDays', policy.windowDays),
      );
    if (claim.free && !policy.free)
      return this.result(
        claim,
        'CONTRADICTED',
        `claims free returns; the policy is ${fact}`,
        this.cite('policy/returns', 'free', false),
      );
    return this.result(
      claim,
      'SUPPORTED',
      `the policy is ${fact}`,
      this.cite(
        'policy/returns',
        claim.days !== undefined ? 'windowDays' : 'free',
        claim.days !== undefined ? policy.windowDays : policy.free,
      ),
    );
  }

  private warranty(claim: Claim): ClaimVerdict {
    const policy = this.kb.version.document.policies.warranty;
    if (!policy) return this.result(claim, 'UNVERIFIABLE', 'no warranty policy in the knowledge base');
    const fact = policy.months === null ? 'a lifetime warranty' : `a ${policy.months}-month warranty`;
    return claim.months === policy.months
      ? this.result(
          claim,
          'SUPPORTED',
          `the policy is ${fact}`,
          this.cite('policy/warranty', 'months', policy.months),
        )
      : this.result(
          claim,
          'CONTRADICTED',
          `claims ${claim.text}; the policy is ${fact}`,
          this.cite('policy/warranty', 'months', policy.months),
        );
  }

  private priceMatch(claim: Claim): ClaimVerdict {
    const policy = this.kb.version.document.policies.priceMatch;
    if (!policy) return this.result(claim, 'UNVERIFIABLE', 'no price-match policy in the knowledge base');
    if (claim.negated)
      return policy.enabled
        ? this.result(
            claim,
            'CONTRADICTED',
            `claims "${claim.text}"; prices are matched`,
            this.cite('policy/price-match', 'enabled', true),
          )
        : this.result(
            claim,
            'SUPPORTED',
            'prices are not matched',
            this.cite('policy/price-match', 'enabled', false),
          );
    return policy.enabled
      ? this.result(
          claim,
          'SUPPORTED',
          'prices are matched',
          this.cite('policy/price-match', 'enabled', true),
        )
      : this.result(
          claim,
          'CONTRADICTED',
          `claims "${claim.text}"; prices are not matched`,
          this.cite('policy/price-match', 'enabled', false),
        );
  }

  /** Guarantees and superlatives hold only as approved wording: an approved claim or live copy. */
  private approvedStatement(claim: Claim): ClaimVerdict {
    const cover = claim.approvedBy;
    if (cover)
      return this.result(
        claim,
        'SUPPORTED',
        `approved wording (${cover.kind} ${cover.id})`,
        this.cite(`${cover.kind}/${cover.id}`, 'text'),
      );
    return this.result(claim, 'UNVERIFIABLE', `${claim.kind} "${claim.text}" is not approved wording`);
  }
}

const WEEK_MS = 7;

function daysUntil(date: ClaimedDate, today: number): number {
  if (date.type === 'relative') return date.days;
  if (date.type === 'weekday') {
    const dow = (today + 4) % 7; // 1970-01-01 was a Thursday
    let d = (date.weekday - dow + WEEK_MS) % WEEK_MS;
    if (d === 0) d = WEEK_MS;
    return d;
  }
  const now = new Date(today * 86_400_000);
  let target = Date.UTC(now.getUTCFullYear(), date.month, date.day) / 86_400_000;
  if (target < today) target = Date.UTC(now.getUTCFullYear() + 1, date.month, date.day) / 86_400_000;
  return target - today;
}

/** Weekdays in (today, today + days]. */
function businessDaysWithin(today: number, days: number): number {
  let n = 0;
  for (let d = 1; d <= days && d <= 400; d++) {
    const dow = (today + d + 4) % 7;
    if (dow !== 0 && dow !== 6) n++;
  }
  return n;
}

/** Calendar days needed to pass `business` weekdays from today. */
function calendarDaysFor(business: number, today: number): number {
  let d = 0;
  for (let n = 0; n < business && d <= 400;) {
    d++;
    const dow = (today + d + 4) % 7;
    if (dow !== 0 && dow !== 6) n++;
  }
  return d;
}

/**
 * Attaches each product-fact claim to the product it is about: the nearest mention before it,
 * else the first one after it in the same sentence, else the intent's own SKU.
 */
export function attachSubjects(
  claims: Claim[],
  sentenceOf: (token: number) => number,
  contextSku?: string,
): void {
  const mentions = claims.filter((c) => c.kind === 'product');
  for (const c of claims) {
    if (!PRODUCT_KINDS.has(c.kind)) continue;
    let m: Claim | undefined;
    for (const x of mentions) if (x.lastToken < c.firstToken) m = x;
    if (!m)
      m = mentions.find(
        (x) => x.firstToken > c.lastToken && sentenceOf(x.firstToken) === sentenceOf(c.lastToken),
      );
    if (!m) {
      if (contextSku) c.subject = contextSku;
      continue;
    }
    if (!m.known) {
      c.subjectIssue = `it is about "${m.text}", which is not in the knowledge base`;
      continue;
    }
    const skus = m.skus ?? [];
    if (contextSku && skus.includes(contextSku)) c.subject = contextSku;
    else if (skus.length === 1) c.subject = skus[0];
    else c.subjectIssue = `"${m.text}" names ${skus.length} products`;
  }
}

export function judgeClaims(kb: CompiledKnowledge, claims: Claim[], ctx: CheckContext): ClaimVerdict[] {
  const judge = new Judge(kb, ctx);
  return claims.map((c) => judge.judge(c));
}
