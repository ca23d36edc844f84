import { IntentDecidedV1 } from '@agentops/contracts';
import { Approval } from '@agentops/policy';
import { DecisionsOfIntent } from './verification-repository';

/**
 * What an outcome is verified against: the decision that binds the intent — a human's over
 * guardrail's own, otherwise guardrail's own, otherwise another service's — and the parameters it
 * approved. Null when nothing was decided, or the reporting agent is not the intent's.
 */
export function bindingApproval({ own, external }: DecisionsOfIntent, agentId: string): Approval | null {
  const ownDecision = own?.decision;
  // An agent may only claim its own intents.
  if (own && own.agentId !== agentId) return null;
  const binding: IntentDecidedV1 | undefined =
    external?.decidedBy === 'human' || !ownDecision ? (external ?? ownDecision) : ownDecision;
  if (!binding) return null;
  return {
    action: binding.action,
    verdict: binding.verdict,
    decidedBy: binding.decidedBy,
    approvedParams: binding.modifiedParams ?? ownDecision?.modifiedParams ?? own?.intent?.params ?? {},
    obligations: binding.obligations ?? [],
  };
}
