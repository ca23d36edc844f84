import { describeSelector } from '@agentops/cohort-selector';
import { CohortSelector, DecisionReason, IntentDecidedV1, Verdict } from '@agentops/contracts';
import { LayeredEvaluation, decisionSourceOf } from '@agentops/policy';

/**
 * The one decision vocabulary. Every place that decides an intent — guardrail's policy and its
 * kill-switch gate, ingest's kill-switch refusal and fail-closed timeout, escalation's human and
 * SLA decisions — builds its `IntentDecidedV1` here, so a deny means the same thing (reason shape,
 * `decidedBy`, `decisionSource`, obligations) wherever it is made. Pure: the caller passes the clock.
 */

/** The decision's own fields, without what every decision repeats (the intent it answers, its times). */
export type DecisionBody = Omit<
  IntentDecidedV1,
  'intentId' | 'agentId' | 'action' | 'decidedAt' | 'expiresAt'
>;

/** The intent a decision answers. */
export interface DecisionSubject {
  intentId: string;
  agentId: string;
  action: string;
}

/** The switch that covers an intent, as an enforcement point sees it. */
export interface SwitchRef {
  switchId: string;
  reason: string;
  selector: CohortSelector;
  actor: string;
}

/** The platform's own policy ids (not a policy set's): reasons a decision gives outside the policies. */
export const PlatformPolicies = {
  failClosed: 'agentops.fail-closed',
  decisionDeadline: 'agentops.decision-deadline',
  agentScopes: 'agentops.agent-scopes',
  noPolicySet: 'agentops.no-policy-set',
  escalationReview: 'agentops.escalation.review',
  escalationSla: 'agentops.escalation.sla',
  rolloutVariant: 'agentops.rollout-variant',
  accessFlow: 'agentops.access-flow',
} as const;

const MESSAGE_MAX = 2000; // DecisionReason.message's bound in the contract

/** An enforced deny reason of a platform rule (version 1). */
export function denyReason(policyId: string, message: string): DecisionReason {
  return {
    policyId,
    policyVersion: '1',
    message: message.slice(0, MESSAGE_MAX),
    effect: 'deny',
    mode: 'enforce',
  };
}

/** The deny reason an enforcement point gives, naming the switch, its cohort and who flipped it. */
export function killSwitchReason(hit: SwitchRef): DecisionReason & { effect: 'deny'; mode: 'enforce' } {
  return {
    policyId: `killswitch:${hit.switchId}`,
    policyVersion: '1',
    message:
      `halted by kill switch ${hit.switchId} (${describeSelector(hit.selector)}) flipped by ${hit.actor}: ${hit.reason}`.slice(
        0,
        MESSAGE_MAX,
      ),
    effect: 'deny',
    mode: 'enforce',
  };
}

/** A kill switch covers the intent: denied, by the switch, whatever the policies say. */
export function killSwitchDenial(hit: SwitchRef): DecisionBody {
  return {
    verdict: 'deny',
    reasons: [killSwitchReason(hit)],
    obligations: [],
    decidedBy: 'killswitch',
    decisionSource: `killswitch:${hit.switchId}`,
  };
}

/**
 * The intent ran a rollout variant its unit is not assigned to (or of a rollout it is not part
 * of): deny, naming why (`rollout_variant_mismatch`, `rollout_not_in_cohort`, `rollout_unknown`).
 */
export function rolloutVariantDenial(reason: string, message: string): DecisionBody {
  return platformDenial('policy', PlatformPolicies.rolloutVariant, `${reason}: ${message}`, 'rollout');
}

/**
 * An egress intent denied by a data-access flow rule (issue #17) before it runs: the rule's id is
 * the reason (`flow_rule:<id>`), its message the explanation.
 */
export function accessFlowDenial(ruleId: string, destination: string, message: string): DecisionBody {
  return platformDenial(
    'policy',
    PlatformPolicies.accessFlow,
    `flow_rule:${ruleId}: egress to ${destination} denied: ${message}`,
    'access-flow',
  );
}

/** No decision reached the waiting agent in time: deny (fail-closed). */
export function failClosedDenial(timeoutMs: number): DecisionBody {
  return {
    verdict: 'deny',
    reasons: [denyReason(PlatformPolicies.failClosed, `no decision within ${timeoutMs} ms`)],
    obligations: [],
    decidedBy: 'timeout',
  };
}

/**
 * The platform answered for want of a decision in time: ingest's fail-closed deny or guardrail's
 * deadline deny. It tells how loaded the platform was, nothing about the agent — so what judges
 * agents (breakers) leaves it out. Escalation's SLA outcome is also `decidedBy: 'timeout'`, but
 * that one is the route's configured answer and counts.
 */
export function isFailClosed(decision: {
  decidedBy?: string;
  reasons?: readonly { policyId?: string }[];
}): boolean {
  if (decision.decidedBy !== 'timeout') return false;
  const policyId = decision.reasons?.[0]?.policyId;
  return policyId === PlatformPolicies.failClosed || policyId === PlatformPolicies.decisionDeadline;
}

/**
 * The intent reached the guardrail after its decision deadline: the waiting agent was already
 * answered with the fail-closed deny, so this records the same outcome without evaluating.
 */
export function deadlineDenial(): DecisionBody {
  return {
    ...platformDenial(
      'policy',
      PlatformPolicies.decisionDeadline,
      'reached the guardrail after its decision deadline; the agent was answered with the fail-closed deny',
      'deadline',
    ),
    decidedBy: 'timeout',
  };
}

/** A deny by one of the platform's own rules (scopes, no policy set, ...), named by `source`. */
export function platformDenial(
  decidedBy: 'policy' | 'permissions',
  policyId: string,
  message: string,
  source: string,
): DecisionBody {
  return {
    verdict: 'deny',
    reasons: [denyReason(policyId, message)],
    obligations: [],
    decidedBy,
    decisionSource: source,
  };
}

/**
 * The policies' decision: the layered evaluation's verdict with every reason, its obligations and
 * modification, named by the policy set versions that made it (`decisionSource`), the shadow
 * verdict beside it and the grounding of the claims it checked.
 */
export function policyDecision(evaluation: LayeredEvaluation): DecisionBody {
  return {
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    obligations: evaluation.obligations,
    modifiedParams: evaluation.modifiedParams,
    decidedBy: 'policy',
    decisionSource: decisionSourceOf(evaluation.versions),
    policySetVersions: evaluation.versions,
    shadowVerdict: evaluation.shadowVerdict,
    ...(evaluation.grounding ? { grounding: evaluation.grounding } : {}),
  };
}

export interface HumanDecisionInput {
  verdict: Verdict;
  /** `human` for a reviewer's decision, `timeout` for the SLA's configured outcome. */
  decidedBy: 'human' | 'timeout';
  message: string;
  reviewers: string[];
  /** The escalation route and task the decision closes (its `decisionSource`). */
  route: string;
  taskId: string;
  /** The reasons of the escalated decision, kept after the reviewer's own. */
  escalatedReasons: DecisionReason[];
  modifiedParams?: Record<string, unknown>;
}

/** The final decision of an escalated intent: a reviewer's (or the SLA's) verdict first, then why it escalated. */
export function humanDecision(input: HumanDecisionInput): DecisionBody {
  return {
    verdict: input.verdict,
    reasons: [
      {
        policyId:
          input.decidedBy === 'human' ? PlatformPolicies.escalationReview : PlatformPolicies.escalationSla,
        policyVersion: '1',
        message: input.message,
        effect: input.verdict === 'escalate' ? 'deny' : input.verdict,
        mode: 'enforce',
      },
      ...input.escalatedReasons,
    ],
    obligations: [],
    modifiedParams: input.modifiedParams,
    decidedBy: input.decidedBy,
    decisionSource: `escalation:${input.route}:${input.taskId}`,
    reviewers: input.reviewers,
  };
}

/**
 * The decision event's payload: `body` answering `subject`, decided at `now`, valid for `ttlMs`
 * (0: it expires as it is made — a deny an agent must not cache).
 */
export function decided(subject: DecisionSubject, body: DecisionBody, now: Date, ttlMs = 0): IntentDecidedV1 {
  return {
    intentId: subject.intentId,
    agentId: subject.agentId,
    action: subject.action,
    ...body,
    obligations: body.obligations ?? [],
    decidedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}
