import { z } from 'zod';
import { ActionName, DecidedBy, DecisionReason, Obligation, Verdict } from '../common/schema';

export const IntentDecidedType = 'agentops.intent.decided.v1' as const;

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
  reviewers: z.array(z.string()).optional(),
  decidedAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }),
});
export type IntentDecidedV1 = z.infer<typeof IntentDecidedV1>;
