import {
  MAX_GROUNDED_CLAIMS,
  type DecisionGrounding,
  type GroundedClaim,
  type IntentProposal,
} from '@agentops/contracts';
import {
  CheckContext,
  CompiledKnowledge,
  PolicyClaim,
  checkVoice,
  matchApprovedCopy,
  policyClaims,
} from '@agentops/knowledge';

/**
 * The tenant's current knowledge version an intent is judged against, and the context claims are
 * read in (the instant, the intent's SKU, the customer's region and tier, the campaign, the channel).
 * The guardrail builds it per intent; without it every knowledge function answers "nothing to
 * check" (no claims, voice allowed) and `knowledge.available` is false, so a policy can say what a
 * tenant without a knowledge base gets.
 */
export interface GroundingContext {
  kb: CompiledKnowledge;
  check: CheckContext;
  channel?: string;
}

/** What CEL sees as `knowledge`: the version in force and the versions the intent says it read. */
export interface KnowledgeFacts {
  available: boolean;
  kbVersion: number;
  /** Every `dataUsed[].kbVersion` of the intent. */
  citedVersions: number[];
  /** The cited versions older than the current one: the intent was built on superseded facts. */
  staleCitations: number[];
}

export const NO_KNOWLEDGE: KnowledgeFacts = {
  available: false,
  kbVersion: 0,
  citedVersions: [],
  staleCitations: [],
};

export function knowledgeFacts(
  grounding: GroundingContext | undefined,
  intent: Pick<IntentProposal, 'dataUsed'> | { dataUsed?: { kbVersion?: number }[] },
): KnowledgeFacts {
  const cited = [
    ...new Set(
      (intent.dataUsed ?? []).map((d) => d.kbVersion).filter((v): v is number => typeof v === 'number'),
    ),
  ].sort((a, b) => a - b);
  if (!grounding) return { ...NO_KNOWLEDGE, citedVersions: cited };
  const current = grounding.kb.version.kbVersion;
  return {
    available: true,
    kbVersion: current,
    citedVersions: cited,
    staleCitations: cited.filter((v) => v < current),
  };
}

/** The string fields of the intent's params a policy may read these from (`region`, `tier`, ...). */
export function checkContextOf(
  params: Record<string, unknown>,
  sku: string | undefined,
  now: number,
): CheckContext {
  const text = (key: string) => (typeof params[key] === 'string' ? (params[key] as string) : undefined);
  return {
    now,
    ...(sku ? { sku } : {}),
    ...(text('region') ? { region: text('region') } : {}),
    ...(text('tier') ? { tier: text('tier') } : {}),
    ...(text('campaign') ? { campaign: text('campaign') } : {}),
  };
}

/** A policy that fired on a claim, as the decision records it. */
export type FiredPolicy = GroundedClaim['policies'][number];

interface Scope {
  grounding?: GroundingContext;
  claims: Map<string, PolicyClaim[]>;
  /** The claims the last claim filter (`contradicted()`, `ofKind()`, …) picked in this policy. */
  picked?: readonly PolicyClaim[];
  /** The policies whose violation rested on each claim. */
  fired: Map<PolicyClaim, FiredPolicy[]>;
}

/**
 * CEL functions are registered once per environment, but the knowledge they read is the intent's
 * tenant's. Evaluation is synchronous (no async function is registered), so the scope of one
 * evaluation is set around it and read by the functions; nothing can interleave. Claims are
 * memoised per text within one evaluation: several policies reading one message check it once.
 */
let scope: Scope | undefined;

export function withGrounding<T>(grounding: GroundingContext | undefined, run: () => T): T {
  const outer = scope;
  scope = { grounding, claims: new Map(), fired: new Map() };
  try {
    return run();
  } finally {
    scope = outer;
  }
}

export function claimsIn(text: string): PolicyClaim[] {
  const g = scope?.grounding;
  if (!g) return [];
  const cached = scope!.claims.get(text);
  if (cached) return cached;
  const claims = policyClaims(g.kb, text, g.check);
  scope!.claims.set(text, claims);
  return claims;
}

/**
 * A claim filter's result, noted as the claims the running policy looks at: when its validation
 * then fails, the violation rests on these (`contradicted(claims(m)).size() == 0` fails because of
 * exactly the contradicted claims). The last filter evaluated counts, so `ofKind(unverifiable(..))`
 * is attributed to the unverifiable claims of those kinds, not to every unverifiable one.
 */
export function pickClaims(claims: PolicyClaim[]): PolicyClaim[] {
  if (scope) scope.picked = claims;
  return claims;
}

/** What the running policy's filters picked so far (to restore before each of its validations). */
export function pickedClaims(): readonly PolicyClaim[] | undefined {
  return scope?.picked;
}

export function restorePicked(claims: readonly PolicyClaim[] | undefined): void {
  if (scope) scope.picked = claims;
}

/** Records that `policy` fired on the claims its validation looked at. */
export function claimsFired(claims: readonly PolicyClaim[] | undefined, policy: FiredPolicy): void {
  if (!scope || !claims) return;
  for (const c of claims) {
    const list = scope.fired.get(c) ?? [];
    if (list.length < 10 && !list.some((p) => p.policyId === policy.policyId && p.effect === policy.effect))
      list.push(policy);
    scope.fired.set(c, list);
  }
}

/**
 * The claims this evaluation checked, for the decision (and so the audit): kind, verdict, citation
 * and the policies that fired on each — never the claim's wording. Undefined when none was checked.
 */
export function checkedGrounding(): DecisionGrounding | undefined {
  const g = scope?.grounding;
  if (!g) return undefined;
  const all = [...new Set([...scope!.claims.values()].flat())];
  if (all.length === 0) return undefined;
  const claims = all.slice(0, MAX_GROUNDED_CLAIMS).map((c): GroundedClaim => ({
    kind: c.kind.slice(0, 40),
    verdict: c.verdict,
    record: c.record.slice(0, 200),
    field: c.field.slice(0, 80),
    kbVersion: c.kbVersion,
    expected: c.expected.slice(0, 200),
    policies: scope!.fired.get(c) ?? [],
  }));
  return { kbVersion: g.kb.version.kbVersion, claims, omitted: all.length - claims.length };
}

export interface VoiceView {
  verdict: 'allow' | 'redact' | 'deny';
  reasons: string[];
  redacted: string;
  /** Spans of the original text that `redacted` replaced. */
  spans: [number, number][];
}

export function voiceOf(text: string): VoiceView {
  const g = scope?.grounding;
  if (!g) return { verdict: 'allow', reasons: [], redacted: text, spans: [] };
  const v = checkVoice(g.kb, text, {
    ...(g.channel ? { channel: g.channel } : {}),
    ...(g.check.campaign ? { campaign: g.check.campaign } : {}),
  });
  return {
    verdict: v.verdict,
    reasons: v.reasons,
    redacted: v.redacted,
    spans: v.banned.filter((b) => b.action === 'redact').map((b): [number, number] => [b.start, b.end]),
  };
}

export interface CopyView {
  ok: boolean;
  reason: string;
  copyId: string;
  kbVersion: number;
}

export function approvedCopyOf(text: string): CopyView {
  const g = scope?.grounding;
  if (!g) return { ok: false, reason: 'the tenant has no knowledge base', copyId: '', kbVersion: 0 };
  const m = matchApprovedCopy(g.kb, text, {
    now: g.check.now,
    ...(g.check.campaign ? { campaign: g.check.campaign } : {}),
    ...(g.check.sku ? { sku: g.check.sku } : {}),
  });
  return m.ok
    ? { ok: true, reason: '', copyId: m.copyId, kbVersion: m.kbVersion }
    : { ok: false, reason: m.reason, copyId: m.nearest ?? '', kbVersion: m.kbVersion };
}
