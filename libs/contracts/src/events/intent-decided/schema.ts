import { z } from 'zod';
import { ActionName, DecidedBy, DecisionReason, Obligation, Verdict } from '../common/schema';

export const IntentDecidedType = 'agentops.intent.decided.v1' as const;

/** What the catalog says about the intent's SKU; `found: false` when it does not know the SKU. */
export const CatalogItemFacts = z
  .object({
    found: z.boolean(),
    sku: z.string().max(200),
    flagship: z.boolean(),
    brand: z.string().max(200),
    category: z.string().max(200),
  })
  .strict();
export type CatalogItemFacts = z.infer<typeof CatalogItemFacts>;

export const DecisionFacts = z.object({ item: CatalogItemFacts }).strict();
export type DecisionFacts = z.infer<typeof DecisionFacts>;

/** At most this many claims ride on one decision; the rest are only counted (`omitted`). */
export const MAX_GROUNDED_CLAIMS = 50;

/**
 * One claim of the intent's customer-facing text as the guardrail judged it against the tenant's
 * approved knowledge: its kind and verdict, the record, field and `kbVersion` it cites, the approved
 * value, and the policies that fired on it. Never the claim's own wording (no customer copy or PII
 * reaches the audit through it): the audit records what was checked, the message is the intent's.
 */
export const GroundedClaim = z
  .object({
    kind: z.string().min(1).max(40),
    verdict: z.enum(['SUPPORTED', 'CONTRADICTED', 'STALE', 'UNVERIFIABLE']),
    /** `product/MD-BAG-00012`, `policy/returns`, … ('' when the claim cites nothing). */
    record: z.string().max(200),
    field: z.string().max(80),
    kbVersion: z.number().int().nonnegative(),
    /** The approved value as text ('' when none). */
    expected: z.string().max(200),
    /** The policies whose violation rests on this claim (e.g. the deny of a contradicted fact). */
    policies: z
      .array(
        z
          .object({
            policyId: z.string().min(1).max(200),
            effect: z.enum(['deny', 'escalate', 'modify', 'warn']),
            mode: z.enum(['enforce', 'shadow']),
          })
          .strict(),
      )
      .max(10),
  })
  .strict();
export type GroundedClaim = z.infer<typeof GroundedClaim>;

/** The claim checks behind a decision: the knowledge version they ran at and what each claim got. */
export const DecisionGrounding = z
  .object({
    kbVersion: z.number().int().nonnegative(),
    claims: z.array(GroundedClaim).max(MAX_GROUNDED_CLAIMS),
    /** Claims checked beyond the first `MAX_GROUNDED_CLAIMS`. */
    omitted: z.number().int().nonnegative(),
  })
  .strict();
export type DecisionGrounding = z.infer<typeof DecisionGrounding>;

export const IntentDecidedV1 = z.object({
  intentId: z.string().uuid(),
  agentId: z.string().min(1),
  action: ActionName,
  verdict: Verdict,
  reasons: z.array(DecisionReason),
  obligations: z.array(Obligation).default([]),
  /** For `modify`: the parameters the agent must use instead of its own. */
  modifiedParams: z.record(z.string(), z.unknown()).optional(),
  decidedBy: DecidedBy,
  /** The verdict shadow-mode policies would have produced; recorded, never enforced. */
  shadowVerdict: Verdict.optional(),
  /** Names the policy set (or switch, or reviewer set) that produced this decision. */
  decisionSource: z.string().max(200).optional(),
  /**
   * For a policy decision: the platform baseline's version and, when the agent's tenant has a set
   * of its own, that set's version (the verdict combines both; a tenant set only adds constraints).
   */
  policySetVersions: z
    .object({ baseline: z.string().min(1).max(50), tenant: z.string().min(1).max(50).optional() })
    .optional(),
  reviewers: z.array(z.string()).optional(),
  /**
   * The platform's own facts the decision was made with — never the agent's claims — so that
   * escalation routes on what the catalog says (a flagship SKU gets four-eyes whatever the intent's
   * params claim). Set by guardrail on the decisions it evaluates; small and bounded.
   */
  facts: DecisionFacts.optional(),
  /**
   * Set by guardrail when its policies checked claims of the intent's customer-facing text against
   * the tenant's approved knowledge (`claims()`); absent when no claim was checked.
   */
  grounding: DecisionGrounding.optional(),
  decidedAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }),
});
export type IntentDecidedV1 = z.infer<typeof IntentDecidedV1>;
