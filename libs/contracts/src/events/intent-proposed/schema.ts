import { z } from 'zod';
import { ActionName, AgentIdentity } from '../common/schema';
import { RolloutArmName, RolloutKey } from '../rollout-changed/schema';

export const IntentProposedType = 'agentops.intent.proposed.v1' as const;

/** What the agent read to reach its decision: lets reviewers and auditors judge the intent. */
export const DataReference = z.object({
  source: z.string().min(1).max(200),
  ref: z.string().max(500).optional(),
  dataClasses: z.array(z.string().max(50)).max(20).default([]),
  records: z.number().int().nonnegative().optional(),
  /** The tenant's knowledge-base version the agent read (`GET /v1/knowledge/...` answers it). */
  kbVersion: z.number().int().positive().optional(),
});

/** The body an agent sends: everything it controls. */
export const IntentProposal = z.object({
  action: ActionName,
  target: z.object({ type: z.string().min(1).max(50), id: z.string().min(1).max(200) }),
  params: z.record(z.string(), z.unknown()).default({}),
  confidence: z.number().min(0).max(1),
  justification: z.string().min(1).max(4000),
  dataUsed: z.array(DataReference).max(50).default([]),
  /**
   * The rollout variant the agent ran to reach this intent (`agentops.variant(rollout, unit)`).
   * Guardrail denies it when it is not the unit's assignment (`rollout_variant_mismatch`).
   */
  variant: z.object({ rollout: RolloutKey, name: RolloutArmName }).strict().optional(),
});
export type IntentProposal = z.infer<typeof IntentProposal>;

export const IntentProposedV1 = IntentProposal.extend({
  intentId: z.string().uuid(),
  agent: AgentIdentity,
  proposedAt: z.string().datetime({ offset: true }),
  /** When the agent stops waiting; after it, a decision is moot and fail-closed applies. */
  decisionDeadline: z.string().datetime({ offset: true }).optional(),
  idempotencyKey: z.string().max(200).optional(),
});
export type IntentProposedV1 = z.infer<typeof IntentProposedV1>;

/** What ingest adds to an agent's validated proposal to make the event (validated on their own). */
export const IntentProposedAdditions = IntentProposedV1.pick({
  intentId: true,
  agent: true,
  proposedAt: true,
  decisionDeadline: true,
  idempotencyKey: true,
});
