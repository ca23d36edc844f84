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
  decidedAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }),
});
export type IntentDecidedV1 = z.infer<typeof IntentDecidedV1>;
