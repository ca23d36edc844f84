import { AccessAnomalyDetectedV1, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { Approval, countingApprovals, decidingGroups } from '../review/review-rules';
import { RouteSpec, requiredApprovals } from '../routing/routing-rules';

export interface Comment {
  by: string;
  text: string;
  at: string;
}

export interface HistoryEntry {
  at: string;
  by: string;
  what: string;
}

/**
 * What a task reviews: an escalated intent, or (issue #17) an agent the access service quarantined
 * for its data access — no intent, no verdict to give; its reviewers confirm or dismiss the finding
 * and the quarantine is released in killswitch, by a human, like any switch.
 */
export type TaskKind = 'intent_review' | 'security_review';

/** One row of `escalation.tasks`, as PostgreSQL returns it. */
export interface TaskRow {
  id: string;
  kind: TaskKind;
  /** The escalated intent's id; for a security review, the quarantine's switch id. */
  intent_id: string;
  tenant_id: string;
  agent_id: string;
  action: string;
  status: 'open' | 'resolved';
  reasons: IntentDecidedV1['reasons'];
  decision_event_id: string;
  /** The escalate decision's traceparent: the human's decision continues its trace (null: opened before it was kept). */
  decision_traceparent: string | null;
  created_at: Date;
  route: string;
  route_spec: RouteSpec;
  reviewer_group: string;
  tier: number;
  due_at: Date | null;
  four_eyes: boolean;
  owner: string | null;
  owner_team: string | null;
  intent: IntentProposedV1 | null;
  decision: IntentDecidedV1 | null;
  claimed_by: string | null;
  approvals: Approval[];
  comments: Comment[];
  history: HistoryEntry[];
  resolution: string | null;
  final_decision: IntentDecidedV1 | null;
  resolved_at: Date | null;
  /** A security review's evidence: the anomalies of the quarantine, oldest first. */
  anomalies: AccessAnomalyDetectedV1[];
}

/** What reviewers see: the intent, why it was escalated, the data used and any suggested change. */
export function taskView(t: TaskRow) {
  return {
    id: t.id,
    kind: t.kind,
    intentId: t.intent_id,
    tenantId: t.tenant_id,
    status: t.status,
    route: t.route,
    group: t.reviewer_group,
    /** Whose members may claim and decide it now: the tier's group and the groups it escalates to. */
    decidingGroups: decidingGroups(t.route_spec, t.tier),
    tier: t.tier,
    dueAt: t.due_at?.toISOString() ?? null,
    fourEyes: t.four_eyes,
    requiredApprovals: requiredApprovals({ fourEyes: t.four_eyes }),
    agent: {
      id: t.agent_id,
      role: t.intent?.agent.role,
      labels: t.intent?.agent.labels ?? {},
      owner: t.owner,
      ownerTeam: t.owner_team,
    },
    intent: t.intent
      ? {
          action: t.intent.action,
          target: t.intent.target,
          params: t.intent.params,
          confidence: t.intent.confidence,
          justification: t.intent.justification,
          dataUsed: t.intent.dataUsed,
          proposedAt: t.intent.proposedAt,
        }
      : { action: t.action },
    reasons: t.reasons,
    suggestedParams: t.decision?.modifiedParams ?? null,
    claimedBy: t.claimed_by,
    approvals: t.approvals,
    /** Who has approved what is now proposed, on the current route: the approvals that count. */
    approvedBy: [...new Set(countingApprovals(t.approvals, t.route).map((a) => a.by))],
    comments: t.comments,
    history: t.history,
    resolution: t.resolution,
    finalDecision: t.final_decision,
    createdAt: t.created_at.toISOString(),
    resolvedAt: t.resolved_at?.toISOString() ?? null,
    anomalies: t.anomalies,
  };
}
export type TaskView = ReturnType<typeof taskView>;
