import { CheckContext, ClaimVerdict, Verdict } from './claims/verify';
import { checkText, GroundingRefusal } from './check';
import { CompiledKnowledge } from './compile';

/**
 * The claim as a policy sees it: a flat map of strings and numbers, so CEL bindings such as
 * `claims(text)` and `contradicted(claims)` need no knowledge of the checker's types.
 */
export interface PolicyClaim {
  kind: string;
  text: string;
  verdict: Verdict;
  reason: string;
  /** `product/MD-BAG-00012`, `policy/returns`, … ('' when the claim cites nothing). */
  record: string;
  field: string;
  kbVersion: number;
  /** The approved value as text ('' when none), for "the correct fact" in a deny reason. */
  expected: string;
  subject: string;
  start: number;
  end: number;
}

function expected(v: ClaimVerdict): string {
  const value = v.citation?.value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    const m = value as { amount?: number; currency?: string };
    if (m.amount !== undefined && m.currency) return `${m.currency} ${m.amount}`;
    return JSON.stringify(value);
  }
  return String(value);
}

export function toPolicyClaim(v: ClaimVerdict): PolicyClaim {
  return {
    kind: v.claim.kind,
    text: v.claim.text,
    verdict: v.verdict,
    reason: v.reason,
    record: v.citation?.record ?? '',
    field: v.citation?.field ?? '',
    kbVersion: v.citation?.kbVersion ?? 0,
    expected: expected(v),
    subject: v.claim.subject ?? '',
    start: v.claim.start,
    end: v.claim.end,
  };
}

/**
 * `claims(text)`: every claim of the text with its verdict. A text over the size cap yields one
 * UNVERIFIABLE claim of kind `refused` carrying the reason, so a policy can escalate it rather
 * than let an unchecked text through.
 */
export function policyClaims(kb: CompiledKnowledge, text: string, ctx: CheckContext): PolicyClaim[] {
  const report = checkText(kb, text, ctx);
  if (!report.ok) return [refusedClaim(report, kb.version.kbVersion, text.length)];
  return report.verdicts.map(toPolicyClaim);
}

function refusedClaim(r: GroundingRefusal, kbVersion: number, length: number): PolicyClaim {
  return {
    kind: 'refused',
    text: '',
    verdict: 'UNVERIFIABLE',
    reason: r.reason,
    record: '',
    field: '',
    kbVersion,
    expected: '',
    subject: '',
    start: 0,
    end: length,
  };
}

const withVerdict = (verdict: Verdict) => (claims: readonly PolicyClaim[]) =>
  claims.filter((c) => c.verdict === verdict);

/** `contradicted(claims)`, `stale(claims)`, `unverifiable(claims)`, `supported(claims)`. */
export const contradicted = withVerdict('CONTRADICTED');
export const stale = withVerdict('STALE');
export const unverifiable = withVerdict('UNVERIFIABLE');
export const supported = withVerdict('SUPPORTED');

/** `ofKind(claims, ['guarantee', 'superlative'])`. */
export function ofKind(claims: readonly PolicyClaim[], kinds: readonly string[]): PolicyClaim[] {
  return claims.filter((c) => kinds.includes(c.kind));
}

/** One line per contradicted claim with the correct fact, for a deny reason. */
export function correctionText(claims: readonly PolicyClaim[]): string {
  return contradicted(claims)
    .map((c) => `${c.reason} [${c.record} ${c.field} @ kb v${c.kbVersion}]`)
    .join('; ');
}
