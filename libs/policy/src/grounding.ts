import type { IntentProposal } from '@agentops/contracts';
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

interface Scope {
  grounding?: GroundingContext;
  claims: Map<string, PolicyClaim[]>;
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
  scope = { grounding, claims: new Map() };
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
