import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1, Verdict } from '@agentops/contracts';
import { decided, humanDecision } from '@agentops/decisions';
import { createEvent, newEventId } from '@agentops/messaging';
import { EVENT_SOURCE, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { queueCallback } from '../callbacks/callback-dispatcher';
import { EscalationConfig } from '../config';
import { Notifier } from '../notify/notifier';
import { OutboxItem, addToOutbox } from '../outbox/outbox';
import { Approval } from '../review/review-rules';
import { ROUTING_RULES } from '../routing/routing.tokens';
import { RoutingRules, routeFor, routingFacts } from '../routing/routing-rules';
import { HistoryEntry, TaskRow } from './task-model';

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
    private readonly dataSource: DataSource,
    @Inject(ROUTING_RULES) private readonly rules: RoutingRules,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    private readonly notifier: Notifier,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  /** Every proposal is kept by id: the decision event has no params, the task needs them. */
  async onIntent(event: EventEnvelope<IntentProposedV1>): Promise<void> {
    const opened = await this.dataSource.transaction(async (m) => {
      await lockIntent(m, event.data.intentId);
      await m.query(
        `INSERT INTO intents (intent_id, tenant_id, payload) VALUES ($1, $2, $3) ON CONFLICT (intent_id) DO NOTHING`,
        [event.data.intentId, event.tenantid, JSON.stringify(event.data)],
      );
      return this.openIfReady(m, event.data.intentId);
    });
    if (opened) this.notifyOpened(opened);
  }

  /** An `escalate` verdict by policy; the task opens once its intent is known too (either order). */
  async onEscalated(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    const opened = await this.dataSource.transaction(async (m) => {
      await lockIntent(m, event.data.intentId);
      await m.query(
        `INSERT INTO escalated_decisions (intent_id, envelope) VALUES ($1, $2) ON CONFLICT (intent_id) DO NOTHING`,
        [event.data.intentId, JSON.stringify(event)],
      );
      return this.openIfReady(m, event.data.intentId);
    });
    if (opened) this.notifyOpened(opened);
  }

  /**
   * ingest answered the waiting agent with its fail-closed deny: the agent acts on that, so a later
   * human decision would be moot. The task closes as timed out, without a second decision.
   */
  async onAgentTimedOut(decision: IntentDecidedV1): Promise<void> {
    const resolved = await this.dataSource.transaction(async (m) => {
      const [task]: TaskRow[] = await m.query(
        `SELECT * FROM tasks WHERE intent_id = $1 AND status = 'open' FOR UPDATE`,
        [decision.intentId],
      );
      if (!task) return null;
      await this.resolve(m, task, {
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

  private async openIfReady(m: EntityManager, intentId: string): Promise<TaskRow | null> {
    const [intentRow]: { payload: IntentProposedV1 }[] = await m.query(
      `SELECT payload FROM intents WHERE intent_id = $1`,
      [intentId],
    );
    const [decisionRow]: { envelope: EventEnvelope<IntentDecidedV1> }[] = await m.query(
      `SELECT envelope FROM escalated_decisions WHERE intent_id = $1`,
      [intentId],
    );
    if (!intentRow || !decisionRow) return null;
    const intent = intentRow.payload;
    const decision = decisionRow.envelope;
    // Routed on the catalog facts guardrail decided with, not on what the params claim.
    const route = routeFor(this.rules, routingFacts(intent, decision.data.facts));
    const now = new Date();
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
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO tasks (id, intent_id, tenant_id, agent_id, action, reasons, decision_event_id, route, route_spec, reviewer_group, tier, due_at,
                          four_eyes, owner, owner_team, intent, decision, history, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17, $18, $18)
       ON CONFLICT (intent_id) DO NOTHING RETURNING id`,
      [
        taskId,
        intentId,
        intent.agent.tenantId,
        intent.agent.id,
        intent.action,
        JSON.stringify(decision.data.reasons),
        decision.id,
        route.name,
        JSON.stringify(route),
        route.tiers[0].group,
        dueAt,
        route.fourEyes,
        labels['owner'] ?? null,
        labels['ownerTeam'] ?? labels['team'] ?? null,
        JSON.stringify(intent),
        JSON.stringify(decision.data),
        JSON.stringify(history),
        now,
      ],
    );
    if (inserted.length === 0) return null;
    const opened = createEvent(
      EventTypes.EscalationOpened,
      {
        taskId,
        intentId,
        agentId: intent.agent.id,
        route: route.name,
        reasons: decision.data.reasons,
        slaDueAt: dueAt.toISOString(),
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
    await addToOutbox(m, [{ event: opened, key: intentId }]);
    const [task]: TaskRow[] = await m.query(`SELECT * FROM tasks WHERE id = $1`, [taskId]);
    return task;
  }

  /** Closes a locked task: the final decision and the resolution go to the outbox in this transaction. */
  async resolve(m: EntityManager, task: TaskRow, r: Resolution): Promise<IntentDecidedV1 | undefined> {
    const now = new Date();
    const items: OutboxItem[] = [];
    const cause = { id: task.decision_event_id };
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
    if (r.verdict) {
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
      if (callbackUrl) await queueCallback(m, callbackUrl, event.id, final);
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
    await m.query(
      `UPDATE tasks SET status = 'resolved', resolution = $2, final_decision = $3, resolved_at = $4, updated_at = $4, due_at = NULL,
                        approvals = $5, history = $6 WHERE id = $1`,
      [
        task.id,
        r.resolution,
        final ? JSON.stringify(final) : null,
        now,
        JSON.stringify(r.approvals ?? task.approvals),
        JSON.stringify(history),
      ],
    );
    await addToOutbox(m, items);
    return final;
  }

  private notifyOpened(task: TaskRow): void {
    const intent = task.intent;
    this.notifier.notify(
      task.route_spec.notifyUrl,
      `Escalation ${task.id}: ${task.agent_id} wants ${task.action} on ${intent?.target.id ?? '?'} — ${task.reasons.map((r) => r.message).join('; ')}. ` +
        `Queue ${task.reviewer_group}, due ${task.due_at?.toISOString()}${task.four_eyes ? ', four-eyes' : ''}.`,
    );
  }
}

/** Serialises the two halves (intent, verdict) of one task so neither misses the other. */
async function lockIntent(m: EntityManager, intentId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`escalation:${intentId}`]);
}
