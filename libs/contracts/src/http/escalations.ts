import { z } from 'zod';
import { DecisionReason } from '../events/common/schema';
import { AccessAnomalyDetectedV1 } from '../events/access-anomaly-detected/schema';
import { IntentDecidedV1 } from '../events/intent-decided/schema';
import { pageOf } from './page';

/** escalation's review queue over HTTP (`/v1/escalations`): the answers its OpenAPI description names. */
const Approval = z.object({
  by: z.string(),
  at: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  comment: z.string().optional(),
  /** The route it was given on: it counts only while the task stays there. */
  route: z.string().optional(),
  /** Given by the platform operator outside the route's groups (break-glass). */
  breakGlass: z.boolean().optional(),
});

/** What a reviewer sees of a task: the intent, why it was escalated, and its review so far. */
export const EscalationTask = z
  .object({
    id: z.string().uuid(),
    /** An escalated intent, or a security review of an agent quarantined for its data access. */
    kind: z.enum(['intent_review', 'security_review']),
    /** The escalated intent; for a security review, the quarantine's kill switch id. */
    intentId: z.string().uuid(),
    tenantId: z.string(),
    status: z.enum(['open', 'resolved']),
    route: z.string(),
    group: z.string(),
    /** Whose members may claim and decide it now: the tier's group and those it escalates to. */
    decidingGroups: z.array(z.string()),
    tier: z.number().int(),
    dueAt: z.string().nullable(),
    fourEyes: z.boolean(),
    requiredApprovals: z.number().int(),
    agent: z.object({
      id: z.string(),
      role: z.string().optional(),
      labels: z.record(z.string(), z.string()),
      owner: z.string().nullable(),
      ownerTeam: z.string().nullable(),
    }),
    /** The proposed intent (only `action` until the intent itself has been read). */
    intent: z.object({
      action: z.string(),
      target: z.object({ type: z.string(), id: z.string() }).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      confidence: z.number().optional(),
      justification: z.string().optional(),
      dataUsed: z.array(z.unknown()).optional(),
      proposedAt: z.string().optional(),
    }),
    reasons: z.array(DecisionReason),
    suggestedParams: z.record(z.string(), z.unknown()).nullable(),
    claimedBy: z.string().nullable(),
    approvals: z.array(Approval),
    /** Who has approved what is now proposed, on the current route. */
    approvedBy: z.array(z.string()),
    comments: z.array(z.object({ by: z.string(), text: z.string(), at: z.string() })),
    history: z.array(z.object({ at: z.string(), by: z.string(), what: z.string() })),
    resolution: z.string().nullable(),
    finalDecision: IntentDecidedV1.nullable(),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
    /** A security review's evidence: the quarantine's anomalies, explained (empty for an intent). */
    anomalies: z.array(AccessAnomalyDetectedV1),
  })
  .meta({ id: 'EscalationTask' });

/** A page of tasks: open ones by due time, resolved ones newest first. */
export const EscalationTaskList = pageOf('tasks', EscalationTask).meta({ id: 'EscalationTaskList' });
