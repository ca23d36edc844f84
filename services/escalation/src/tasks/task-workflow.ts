import {
  AccessAnomalyDetectedV1,
  DecisionReason,
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  Verdict,
} from '@agentops/contracts';
import { decided, humanDecision } from '@agentops/decisions';
import { createEvent, newEventId } from '@agentops/messaging';
import { Clock, EVENT_SOURCE, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { EscalationConfig } from '../config';
import { Notifier } from '../notify/notifier';
import { OutboxItem } from '../outbox/outbox-repository';
import { Approval } from '../review/review-rules';
import { ROUTING_RULES } from '../routing/routing.tokens';
import { RoutingRules, routeFor, routeSlaMs, routingFacts } from '../routing/routing-rules';
import { HistoryEntry, TaskRow } from './task-model';
import { TaskRepository, TaskTransaction } from './task-repository';

export interface Resolution {
  resolution: 'approved' | 'rejected' | 'modified' | 'timed_out';
  /** Absent: no final decision is published (the agent was already answered). */
  verdict?: Verdict;
  decidedBy: 'human' | 'timeout';
  reviewers: string[];
  by: string;
  message: string;
  comment?: string;
  modifiedParams?: Record<string, unknown>;
  approvals?: Approval[];
}

/**
 * The task lifecycle's writes. Every state change and the events it causes commit in one
 * transaction (the outbox); notifications go out after the commit and never hold it up.
 */
@Injectable()
export class TaskWorkflow {
  constructor(
    private readonly tasks: TaskRepository,
    @Inject(ROUTING_RULES) private readonly rules: RoutingRules,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  /**
   * Every proposal is kept by id: the decision event has no params, the task needs them. A fetch's
   * proposals are kept in one transaction (one lock statement, one INSERT, one look-up of the
   * verdicts that came first): almost none is escalated, and a transaction per intent was
   * escalation's whole share of the decision path's CPU.
   */
  async onIntents(events: EventEnvelope<IntentProposedV1>[]): Promise<void> {
    if (!events.length) return;
    const opened = await this.tasks.transaction(async (tx) => {
      const ids = events.map((e) => e.data.intentId);
      await tx.lockIntents(ids);
      await tx.saveIntents(events.map((e) => ({ intent: e.data, tenantId: e.tenantid })));
      const ready: TaskRow[] = [];
      for (const id of await tx.escalatedWithoutTask(ids)) {
        const task = await this.openIfReady(tx, id);
        if (task) ready.push(task);
      }
      return ready;
    });
    for (const task of opened) this.notifyOpened(task);
  }

  /** An `escalate` verdict by policy; the task opens once its intent is known too (either order). */
  async onEscalated(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    const opened = await this.tasks.transaction(async (tx) => {
      await tx.lockIntents([event.data.intentId]);
      await tx.saveEscalatedDecision(event);
      return this.openIfReady(tx, event.data.intentId);
    });
    if (opened) this.notifyOpened(opened);
  }

  /**
   * ingest answered the waiting agent with its fail-closed deny: the agent acts on that, so a later
   * human decision would be moot. The task closes as timed out, without a second decision.
   */
  async onAgentTimedOut(decision: IntentDecidedV1): Promise<void> {
    const resolved = await this.tasks.transaction(async (tx) => {
      const task = await tx.lockOpenByIntent(decision.intentId);
      if (!task) return null;
      await this.resolve(tx, task, {
        resolution: 'timed_out',
        decidedBy: 'timeout',
        reviewers: [],
        by: 'ingest',
        message: 'the agent stopped waiting and was answered with the fail-closed deny',
      });
      return task;
    });
    if (resolved)
      this.notifier.notify(
        resolved.route_spec.notifyUrl,
        `Escalation ${resolved.id} (${resolved.action}) closed: the agent stopped waiting`,
      );
  }

  /**
   * A high data-access anomaly (issue #17): the access service has quarantined the agent, and the
   * security reviewers get one task per quarantine (keyed by its switch id), routed like any task
   * on the action `access.security_review`; later anomalies naming the same switch join its
   * evidence. Lower severities open nothing: they are on the anomalies topic and the console.
   */
  async onAccessAnomaly(event: EventEnvelope<AccessAnomalyDetectedV1>): Promise<void> {
    const a = event.data;
    if (a.severity !== 'high') return;
    const key = a.quarantine?.switchId ?? a.anomalyId;
    const opened = await this.tasks.transaction(async (tx) => {
      await tx.lockIntents([key]);
      const open = await tx.lockOpenByIntent(key);
      if (open) {
        if (open.anomalies.some((x) => x.anomalyId === a.anomalyId)) return null;
        const now = this.clock.now();
        await tx.update(open.id, {
          anomalies: [...open.anomalies, a],
          history: [
            ...open.history,
            { at: now.toISOString(), by: 'access', what: `further anomaly: ${a.message}` },
          ],
          updated_at: now,
        });
        return null;
      }
      return this.openSecurityReview(tx, event, key);
    });
    if (opened) this.notifyOpened(opened);
  }

  private async openSecurityReview(
    tx: TaskTransaction,
    event: EventEnvelope<AccessAnomalyDetectedV1>,
    key: string,
  ): Promise<TaskRow | null> {
    const a = event.data;
    const route = routeFor(this.rules, {
      tenantId: a.tenantId,
      action: SECURITY_REVIEW_ACTION,
      agentRole: a.role,
    });
    const now = this.clock.now();
    const dueAt = new Date(now.getTime() + route.tiers[0].slaMs);
    const taskId = newEventId();
    const reasons = [anomalyReason(a)];
    const inserted = await tx.insertTask({
      id: taskId,
      kind: 'security_review',
      anomalies: [a],
      intent_id: key,
      tenant_id: a.tenantId,
      agent_id: a.agentId,
      action: SECURITY_REVIEW_ACTION,
      reasons,
      decision_event_id: event.id,
      // Its resolution continues the anomaly's trace, as a decision continues its intent's.
      decision_traceparent: event.traceparent ?? null,
      route: route.name,
      route_spec: route,
      reviewer_group: route.tiers[0].group,
      due_at: dueAt,
      four_eyes: route.fourEyes,
      owner: null,
      owner_team: null,
      intent: null,
      decision: null,
      history: [
        {
          at: now.toISOString(),
          by: 'escalation',
          what: `opened on route ${route.name} for ${route.tiers[0].group}: agent ${a.agentId} quarantined${a.quarantine ? ` by switch ${a.quarantine.switchId}` : ''}`,
        },
      ],
      created_at: now,
    });
    if (!inserted) return null;
    const opened = createEvent(
      EventTypes.EscalationOpened,
      {
        taskId,
        intentId: key,
        agentId: a.agentId,
        route: route.name,
        reasons,
        slaDueAt: dueAt.toISOString(),
        openedAt: now.toISOString(),
      },
      {
        source: this.source,
        tenantid: a.tenantId,
        agentid: a.agentId,
        correlationid: key,
        subject: taskId,
        cause: event,
        time: now,
      },
    );
    await tx.addToOutbox([{ event: opened, key }]);
    return (await tx.find(taskId)) ?? null;
  }

  private async openIfReady(tx: TaskTransaction, intentId: string): Promise<TaskRow | null> {
    const intent = await tx.findIntent(intentId);
    const decision = await tx.findEscalatedDecision(intentId);
    if (!intent || !decision) return null;
    // Routed on the catalog facts guardrail decided with, not on what the params claim.
    const route = routeFor(this.rules, routingFacts(intent, decision.data.facts));
    const now = this.clock.now();
    const dueAt = new Date(now.getTime() + route.tiers[0].slaMs);
    const taskId = newEventId();
    const labels = intent.agent.labels ?? {};
    const history: HistoryEntry[] = [
      {
        at: now.toISOString(),
        by: 'escalation',
        what: `opened on route ${route.name} for ${route.tiers[0].group}`,
      },
    ];
    const inserted = await tx.insertTask({
      id: taskId,
      kind: 'intent_review',
      anomalies: [],
      intent_id: intentId,
      tenant_id: intent.agent.tenantId,
      agent_id: intent.agent.id,
      action: intent.action,
      reasons: decision.data.reasons,
      decision_event_id: decision.id,
      decision_traceparent: decision.traceparent ?? null,
      route: route.name,
      route_spec: route,
      reviewer_group: route.tiers[0].group,
      due_at: dueAt,
      four_eyes: route.fourEyes,
      owner: labels['owner'] ?? null,
      owner_team: labels['ownerTeam'] ?? labels['team'] ?? null,
      intent,
      decision: decision.data,
      history,
      created_at: now,
    });
    if (!inserted) return null;
    const opened = createEvent(
      EventTypes.EscalationOpened,
      {
        taskId,
        intentId,
        agentId: intent.agent.id,
        route: route.name,
        reasons: decision.data.reasons,
        slaDueAt: dueAt.toISOString(),
        timeoutAt: new Date(now.getTime() + routeSlaMs(route)).toISOString(),
        timeoutOutcome: route.timeoutOutcome,
        openedAt: now.toISOString(),
      },
      {
        source: this.source,
        tenantid: intent.agent.tenantId,
        agentid: intent.agent.id,
        correlationid: intentId,
        subject: taskId,
        cause: decision,
        time: now,
      },
    );
    await tx.addToOutbox([{ event: opened, key: intentId }]);
    return (await tx.find(taskId)) ?? null;
  }

  /** Closes a locked task: the final decision and the resolution go to the outbox in this transaction. */
  async resolve(tx: TaskTransaction, task: TaskRow, r: Resolution): Promise<IntentDecidedV1 | undefined> {
    const now = this.clock.now();
    const items: OutboxItem[] = [];
    // The stored escalate decision is the cause: the human's decision, made in a request of its own,
    // stays in the intent's trace (the request's span is linked by the send span).
    const cause = { id: task.decision_event_id, traceparent: task.decision_traceparent ?? undefined };
    const ctx = {
      source: this.source,
      tenantid: task.tenant_id,
      agentid: task.agent_id,
      correlationid: task.intent_id,
      subject: task.id,
      cause,
      time: now,
    };
    let final: IntentDecidedV1 | undefined;
    // A security review has no intent to decide: its outcome is the resolution alone.
    if (r.verdict && task.kind !== 'security_review') {
      final = decided(
        { intentId: task.intent_id, agentId: task.agent_id, action: task.action },
        humanDecision({
          verdict: r.verdict,
          decidedBy: r.decidedBy,
          message: r.message,
          reviewers: r.reviewers,
          route: task.route,
          taskId: task.id,
          escalatedReasons: task.reasons,
          modifiedParams: r.modifiedParams,
        }),
        now,
        this.config.ESCALATION_DECISION_TTL_MS,
      );
      const event = createEvent(EventTypes.IntentDecided, final, ctx);
      items.push({ event, key: task.agent_id });
      const callbackUrl = task.intent?.agent.labels?.['callbackUrl'];
      if (callbackUrl)
        await tx.queueCallback(callbackUrl, {
          eventId: event.id,
          intentId: final.intentId,
          decision: final,
        });
    }
    items.push({
      event: createEvent(
        EventTypes.EscalationResolved,
        {
          taskId: task.id,
          intentId: task.intent_id,
          agentId: task.agent_id,
          resolution: r.resolution,
          reviewers: r.reviewers,
          comment: r.comment,
          resolvedAt: now.toISOString(),
        },
        ctx,
      ),
      key: task.intent_id,
    });
    const history = [
      ...task.history,
      { at: now.toISOString(), by: r.by, what: `${r.resolution}: ${r.message}` },
    ];
    await tx.update(task.id, {
      status: 'resolved',
      resolution: r.resolution,
      final_decision: final ?? null,
      resolved_at: now,
      updated_at: now,
      due_at: null,
      approvals: r.approvals ?? task.approvals,
      history,
    });
    await tx.addToOutbox(items);
    return final;
  }

  private notifyOpened(task: TaskRow): void {
    const intent = task.intent;
    if (task.kind === 'security_review') {
      this.notifier.notify(
        task.route_spec.notifyUrl,
        `Security review ${task.id}: agent ${task.agent_id} quarantined for its data access — ${task.reasons.map((r) => r.message).join('; ')}. ` +
          `Queue ${task.reviewer_group}, due ${task.due_at?.toISOString()}.`,
      );
      return;
    }
    this.notifier.notify(
      task.route_spec.notifyUrl,
      `Escalation ${task.id}: ${task.agent_id} wants ${task.action} on ${intent?.target.id ?? '?'} — ${task.reasons.map((r) => r.message).join('; ')}. ` +
        `Queue ${task.reviewer_group}, due ${task.due_at?.toISOString()}${task.four_eyes ? ', four-eyes' : ''}.`,
    );
  }
}

/** The action a security review is routed on (`policies/escalation/routes.yaml` gives it its queue). */
export const SECURITY_REVIEW_ACTION = 'access.security_review';

/** The anomaly as the reason reviewers read first: the detector, and the explanation. */
function anomalyReason(a: AccessAnomalyDetectedV1): DecisionReason {
  return {
    policyId: `access:${a.detector}`,
    policyVersion: '1',
    message:
      `${a.feature} ${a.detector} (${a.baselineFrom} baseline ${a.baseline}, observed ${a.observed}, deviation ${a.deviation}): ${a.message}`.slice(
        0,
        2000,
      ),
    effect: 'deny',
    mode: 'enforce',
  };
}
