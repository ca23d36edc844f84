import { Claim } from './claims/claim';
import { extractClaims } from './claims/extract';
import { attachSubjects, CheckContext, ClaimVerdict, judgeClaims, Verdict, VERDICTS } from './claims/verify';
import { CompiledKnowledge } from './compile';
import { normalizeText } from './text/normalize';
import { tokenize } from './text/tokenize';

/**
 * Longer texts are refused before any scanning. 8,000 characters is well above a customer message
 * (Bedrock's contextual grounding caps a response at 5,000) and keeps a check under a millisecond.
 */
export const MAX_TEXT_CHARS = 8_000;

export interface GroundingReport {
  ok: true;
  tenantId: string;
  kbVersion: number;
  verdicts: ClaimVerdict[];
  counts: Record<Verdict, number>;
}

export interface GroundingRefusal {
  ok: false;
  code: 'text-too-long';
  reason: string;
}

export interface CheckOptions {
  maxChars?: number;
}

/** Copy is live when `now` is inside its window and it was approved for this product/campaign (or any). */
function copyApplies(
  claim: Claim,
  ref: { kind: string; copy?: { sku?: string; campaign?: string; validFrom?: string; validTo?: string } },
  ctx: CheckContext,
): boolean {
  const c = ref.copy;
  if (!c) return true;
  if (c.validFrom && Date.parse(c.validFrom) > ctx.now) return false;
  if (c.validTo && Date.parse(c.validTo) < ctx.now) return false;
  if (c.sku && c.sku !== (claim.subject ?? ctx.sku)) return false;
  if (c.campaign && c.campaign !== ctx.campaign) return false;
  return true;
}

/**
 * Finds every claim in a customer-facing text and judges it against one knowledge version:
 * SUPPORTED, CONTRADICTED, STALE or UNVERIFIABLE, each citing record, field and `kbVersion`.
 * Pure and deterministic: the same version, text and context give the same report.
 */
export function checkText(
  kb: CompiledKnowledge,
  text: string,
  ctx: CheckContext,
  options: CheckOptions = {},
): GroundingReport | GroundingRefusal {
  const cap = options.maxChars ?? MAX_TEXT_CHARS;
  if (text.length > cap)
    return {
      ok: false,
      code: 'text-too-long',
      reason: `text of ${text.length} characters is over the ${cap}-character cap for claim checking`,
    };
  const nt = normalizeText(text);
  const tokens = tokenize(nt);
  const { claims, sentenceOf } = extractClaims(nt, tokens, { products: kb.names, stopWords: kb.stopWords });
  attachSubjects(claims, sentenceOf, ctx.sku);
  const wording = claims.filter((c) => c.kind === 'guarantee' || c.kind === 'superlative');
  if (wording.length > 0) {
    const approved = kb.approved.findIn(nt.text, tokens, { punctuationBreaks: false });
    for (const c of wording)
      for (const m of approved) {
        if (m.firstToken > c.firstToken || m.lastToken < c.lastToken) continue;
        const ref = m.values.find((v) => copyApplies(c, v, ctx));
        if (ref) {
          c.approvedBy = { kind: ref.kind, id: ref.id };
          break;
        }
      }
  }
  const verdicts = judgeClaims(kb, claims, ctx);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const v of verdicts) counts[v.verdict]++;
  return { ok: true, tenantId: kb.version.tenantId, kbVersion: kb.version.kbVersion, verdicts, counts };
}
