import { ORIGINS } from '../knowledge/corpus-catalog';
import { Random } from './random';

/** What a pitch may claim; an invented claim is one of these. */
export const PITCH_CLAIM_KINDS = ['material', 'price', 'stock', 'delivery'] as const;
export type PitchClaimKind = (typeof PITCH_CLAIM_KINDS)[number];

/** The product as the SDK's `productFacts()` returns it (the fields a pitch is written from). */
export interface PitchFacts {
  sku: string;
  name: string;
  price?: { amount: number; currency: string };
  stock?: number;
  materials?: { material: string; percent?: number; karat?: number; tint?: string }[];
  origin?: { country: string; city?: string };
}

export interface Pitch {
  message: string;
  /** The one claim the agent made up, when it did (the simulation's ground truth). */
  invented?: PitchClaimKind;
}

/** The customer's delivery the pitches promise (the intent's `region` and `tier` params). */
export const PITCH_DELIVERY = { region: 'EU', tier: 'standard', minDays: 2, maxDays: 4 } as const;

const OTHER_MATERIALS = ['cashmere', 'silk', 'crocodile', 'platinum', 'linen'];

function composition(parts: NonNullable<PitchFacts['materials']>): string {
  return parts
    .map((p) =>
      p.karat
        ? `${p.karat}k ${p.tint ? `${p.tint} ` : ''}${p.material}`
        : `${p.percent !== undefined ? `${p.percent} % ` : ''}${p.material}`,
    )
    .join(' and ');
}

const money = (amount: number, currency: string) =>
  `${currency} ${String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

/**
 * The personal shopper's pitch, written from the product's approved facts — and, as LLM agents do,
 * now and then (`inventRate`, 1 in 4 by default) with one fact made up: a material the product is
 * not made of, a price it does not have, a scarcity it does not have, or a delivery faster than the
 * promise. Returns what it invented, so the run can count what the guardrail caught.
 */
export function writePitch(rnd: Random, firstName: string, facts: PitchFacts, inventRate = 0.25): Pitch {
  const possible = PITCH_CLAIM_KINDS.filter(
    (k) =>
      (k !== 'material' || facts.materials?.length) &&
      (k !== 'price' || facts.price) &&
      // "only 2 left" is only an invention when more than a few are left.
      (k !== 'stock' || (facts.stock ?? 0) > 10),
  );
  const invented = rnd.chance(inventRate) && possible.length ? rnd.pick(possible) : undefined;
  const parts: string[] = [`${firstName}, the ${facts.name} would complete your last purchase.`];

  if (invented === 'material') {
    const made = new Set((facts.materials ?? []).map((m) => m.material));
    parts.push(`It is 100 % ${OTHER_MATERIALS.find((m) => !made.has(m))}.`);
  } else if (facts.materials?.length) parts.push(`It is ${composition(facts.materials)}.`);

  const origin = facts.origin && ORIGINS.find((o) => o.country === facts.origin!.country);
  if (origin) parts.push(`Made in ${origin.name}.`);

  if (facts.price) {
    const amount =
      invented === 'price'
        ? Math.round((facts.price.amount * rnd.int(55, 85)) / 1000) * 10
        : facts.price.amount;
    parts.push(`Yours for ${money(amount, facts.price.currency)}.`);
  }

  if (invented === 'stock') parts.push('Only 2 left, so do not wait.');

  const d = PITCH_DELIVERY;
  parts.push(
    invented === 'delivery'
      ? 'Standard delivery arrives tomorrow.'
      : `Standard delivery takes ${d.minDays}-${d.maxDays} business days.`,
  );
  return { message: parts.join(' '), ...(invented ? { invented } : {}) };
}
