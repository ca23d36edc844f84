import type { DecisionGrounding } from '@agentops/contracts';
import { formatTable } from '../cli/cli-kit';
import type { InventedClaims } from './grounding-tally';
import { PITCH_CLAIM_KINDS, PitchClaimKind } from './pitches';

export type CheckedClaims = DecisionGrounding;
const VERDICTS = ['SUPPORTED', 'CONTRADICTED', 'STALE', 'UNVERIFIABLE'] as const;
type ClaimVerdict = (typeof VERDICTS)[number];

/** What the guardrail checked, as its decisions recorded it (audit `payload.grounding`). */
export interface ClaimsChecked {
  decisions: number;
  claims: number;
  byVerdict: Record<ClaimVerdict, number>;
  /** Per claim kind: how many were checked and how many a policy fired on. */
  byKind: Record<string, { checked: number; flagged: number }>;
  /** Claims each policy fired on. */
  firedBy: Record<string, number>;
}

/** The personal shopper's pitches against approved knowledge: the report's grounding section. */
export interface GroundingSection {
  kbVersion: number;
  products: number;
  pitches: number;
  byKind: Record<PitchClaimKind, InventedClaims>;
  caughtBy: Record<string, number>;
  heldBackCorrect: number;
  checked: ClaimsChecked;
}

/** Sums the grounding of the decisions a run produced. */
export function claimsChecked(groundings: (CheckedClaims | undefined)[]): ClaimsChecked {
  const out: ClaimsChecked = {
    decisions: 0,
    claims: 0,
    byVerdict: { SUPPORTED: 0, CONTRADICTED: 0, STALE: 0, UNVERIFIABLE: 0 },
    byKind: {},
    firedBy: {},
  };
  for (const g of groundings) {
    if (!g) continue;
    out.decisions++;
    out.claims += g.claims.length + g.omitted;
    for (const c of g.claims) {
      out.byVerdict[c.verdict]++;
      const k = (out.byKind[c.kind] ??= { checked: 0, flagged: 0 });
      k.checked++;
      const enforced = c.policies.filter((p) => p.mode === 'enforce' && p.effect !== 'warn');
      if (enforced.length) k.flagged++;
      for (const p of enforced) out.firedBy[p.policyId] = (out.firedBy[p.policyId] ?? 0) + 1;
    }
  }
  return out;
}

const total = (s: GroundingSection, k: keyof InventedClaims) =>
  PITCH_CLAIM_KINDS.reduce((n, kind) => n + s.byKind[kind][k], 0);
const list = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

/** The terminal lines of the section. */
export function groundingLines(s: GroundingSection): string[] {
  const c = s.checked;
  return [
    `Grounding: personal shopper pitches against approved knowledge v${s.kbVersion} (${s.products} products)`,
    `  ${s.pitches} pitches, ${total(s, 'invented')} with an invented claim: ${total(s, 'caught')} caught, ${total(s, 'letThrough')} let through; ${s.heldBackCorrect} correct pitches held back`,
    ...formatTable(
      ['invented', 'pitches', 'caught', 'let through'],
      PITCH_CLAIM_KINDS.map((k) =>
        [k, s.byKind[k].invented, s.byKind[k].caught, s.byKind[k].letThrough].map(String),
      ),
    )
      .split('\n')
      .map((l) => `  ${l}`),
    `  caught by: ${list(s.caughtBy)}`,
    `  the guardrail checked ${c.claims} claims in ${c.decisions} decisions: ${VERDICTS.map((v) => `${c.byVerdict[v]} ${v.toLowerCase()}`).join(', ')}`,
    `  claims per kind (checked/flagged): ${
      Object.entries(c.byKind)
        .map(([k, v]) => `${k} ${v.checked}/${v.flagged}`)
        .join(', ') || 'none'
    }`,
    `  policies that fired on claims: ${list(c.firedBy)}`,
  ];
}

/** The HTML of the section (`esc` and `table` are the report's own helpers). */
export function groundingHtml(
  s: GroundingSection,
  esc: (v: unknown) => string,
  table: (head: string[], body: unknown[][]) => string,
): string {
  const c = s.checked;
  return `<h2>Grounding: pitches against approved knowledge</h2>
<p>The personal shopper writes each pitch from the product's approved facts (knowledge v${esc(s.kbVersion)}, ${esc(s.products)} products) and invents a material, price, scarcity or delivery promise in about one pitch in four. ${esc(s.pitches)} pitches, ${esc(total(s, 'invented'))} with an invented claim: <b class="ok">${esc(total(s, 'caught'))} caught</b>, <b class="${total(s, 'letThrough') ? 'ko' : 'ok'}">${esc(total(s, 'letThrough'))} let through</b>; ${esc(s.heldBackCorrect)} correct pitches held back.</p>
${table(
  ['invented claim', 'pitches', 'caught', 'let through'],
  PITCH_CLAIM_KINDS.map((k) => [k, s.byKind[k].invented, s.byKind[k].caught, s.byKind[k].letThrough]),
)}
<p>Caught by: ${esc(list(s.caughtBy))}.</p>
<p>The guardrail checked ${esc(c.claims)} claims in ${esc(c.decisions)} decisions: ${VERDICTS.map((v) => `${esc(c.byVerdict[v])} ${v.toLowerCase()}`).join(', ')}. Policies that fired on claims: ${esc(list(c.firedBy))}.</p>
${table(
  ['claim kind', 'checked', 'flagged by a policy'],
  Object.entries(c.byKind).map(([k, v]) => [k, v.checked, v.flagged]),
)}`;
}
