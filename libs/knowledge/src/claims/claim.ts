/**
 * A checkable statement found in a message. Flat on purpose: policies read claims as CEL maps, and
 * each kind uses the few fields listed beside it.
 */
export type ClaimKind =
  | 'product' //          skus, name, known
  | 'price' //            amount, currency, role
  | 'discount' //         percent | amount + currency
  | 'stock' //            relation, count
  | 'limited-edition' //  count
  | 'material' //         material, percent, karat, tint, pure
  | 'origin' //           country, city
  | 'delivery' //         days + dayUnit | date, tierHint, free
  | 'returns' //          days, free
  | 'warranty' //         months (null: lifetime)
  | 'price-match'
  | 'guarantee' //        phrase
  | 'superlative'; //     phrase

export const CLAIM_KINDS: readonly ClaimKind[] = [
  'product',
  'price',
  'discount',
  'stock',
  'limited-edition',
  'material',
  'origin',
  'delivery',
  'returns',
  'warranty',
  'price-match',
  'guarantee',
  'superlative',
];

/** A date as written, resolved against the check's `now` by the verifier. */
export type ClaimedDate =
  | { type: 'relative'; days: number } // today 0, tomorrow 1
  | { type: 'weekday'; weekday: number; next: boolean }
  | { type: 'calendar'; month: number; day: number };

export interface Claim {
  kind: ClaimKind;
  /** Span in the original text, [start, end). */
  start: number;
  end: number;
  text: string;
  /** Token range [firstToken, lastToken] in the normalized text. */
  firstToken: number;
  lastToken: number;
  /** The product the claim is about, resolved from mentions and the check's context. */
  subject?: string;

  skus?: string[];
  name?: string;
  known?: boolean;

  amount?: number;
  currency?: string;
  /** `current` price or the `regular` one it was reduced from ("was €2,500"). */
  role?: 'current' | 'regular';
  percent?: number;
  /** `exactly` n, `atLeast` 1 (in stock), `none` (sold out), `low` (a few left). */
  relation?: 'exactly' | 'atLeast' | 'none' | 'low';
  count?: number;
  material?: string;
  karat?: number;
  tint?: string;
  pure?: boolean;
  country?: string;
  city?: string;
  days?: number;
  dayUnit?: 'business' | 'calendar';
  date?: ClaimedDate;
  tierHint?: string;
  free?: boolean;
  months?: number | null;
  phrase?: string;
  /** "we do not price match", "is not 100 % cashmere". */
  negated?: boolean;
  /** Why no subject could be resolved (an unknown or ambiguous product). */
  subjectIssue?: string;
  /** Approved wording (an approved claim or live copy) the claim lies inside. */
  approvedBy?: { kind: 'approved-claim' | 'copy'; id: string };
}
