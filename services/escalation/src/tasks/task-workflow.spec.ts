import { AccessAnomalyDetectedV1, EventEnvelope, EventTypes } from '@agentops/contracts';
import { createEvent, newEventId, traceIdOf } from '@agentops/messaging';
import { Principal } from '@agentops/service-runtime';
import { loadRoutingRulesFile } from '../routing/routing.tokens';
import type { Resolution } from './task-workflow';
import { agent, escalateVerdict, escalationUnderTest, proposal } from '../testing/escalation-doubles';

const APPROVED_BY_U1: Resolution = {
  resolution: 'approved',
  verdict: 'allow',
  decidedBy: 'human',
  reviewers: ['u-1'],
  by: 'u-1',
  message: 'approved by u-1',
};

describe('TaskWorkflow', () => {
  it("keeps a fetch's proposals together and opens a task for each one whose verdict came first, once", async () => {
    const { workflow, db, notifier } = escalationUnderTest();
    const [plain, first, second] = [
      proposal({ amount: 20 }),
      proposal({ amount: 900 }),
      proposal({ amount: 950 }),
    ];
    await workflow.onEscalated(escalateVerdict(first));
    await workflow.onEscalated(escalateVerdict(second));
    await workflow.onIntents([plain, first, second]);
    expect(db.taskOf(plain.data.intentId)).toBeUndefined();
    expect([first, second].map((i) => db.taskOf(i.data.intentId)?.status)).toEqual(['open', 'open']);
    // Redelivered after a rebalance: nothing more opens.
    await workflow.onIntents([first, second]);
    expect([...db.tables.tasks.values()]).toHaveLength(2);
    expect(notifier.notices).toHaveLength(2);
  });

  it('keeps none of a fetch when the statement fails: the consumer redelivers the whole chunk', async () => {
    const { workflow, db } = escalationUnderTest();
    const intent = proposal({ amount: 900 });
    await workflow.onEscalated(escalateVerdict(intent));
    db.failNext('saveIntents');
    await expect(workflow.onIntents([intent])).rejects.toThrow('saveIntents failed');
    expect(db.taskOf(intent.data.intentId)).toBeUndefined();
    await workflow.onIntents([intent]);
    expect(db.taskOf(intent.data.intentId)?.status).toBe('open');
  });

  it('opens one routed task once both the proposal and the escalate verdict are known, in either order', async () => {
    for (const order of ['intent first', 'verdict first']) {
      const { workflow, db, clock } = escalationUnderTest();
      const intent = proposal({ amount: 900 });
      const verdict = escalateVerdict(intent);
      if (order === 'intent first') await workflow.onIntents([intent]);
      else await workflow.onEscalated(verdict);
      expect(db.taskOf(intent.data.intentId)).toBeUndefined();
      if (order === 'intent first') await workflow.onEscalated(verdict);
      else await workflow.onIntents([intent]);

      const task = db.taskOf(intent.data.intentId)!;
      expect(task).toMatchObject({
        status: 'open',
        tenant_id: 'maison',
        agent_id: 'svc-agent-1',
        route: 'large-refunds',
        reviewer_group: 'service-leads',
        tier: 0,
        four_eyes: true,
        decision_event_id: verdict.id,
        reasons: verdict.data.reasons,
      });
      expect(task.due_at).toEqual(new Date(clock.now().getTime() + 30_000));
      expect(task.intent?.params).toEqual({ amount: 900 });
      expect(task.history).toEqual([
        {
          at: clock.now().toISOString(),
          by: 'escalation',
          what: 'opened on route large-refunds for service-leads',
        },
      ]);
      const [opened] = db.outboxRows();
      expect(db.outboxRows()).toHaveLength(1);
      expect(opened).toMatchObject({
        type: EventTypes.EscalationOpened,
        key: intent.data.intentId,
        sentAt: null,
      });
      expect(opened.envelope).toMatchObject({
        subject: task.id,
        correlationid: intent.data.intentId,
        causationid: verdict.id,
        data: { taskId: task.id, route: 'large-refunds', slaDueAt: task.due_at!.toISOString() },
      });
    }
  });

  it('opens exactly one task and one opened event when the verdict and the proposal arrive again', async () => {
    const { workflow, db, notifier } = escalationUnderTest();
    const intent = proposal();
    await workflow.onIntents([intent]);
    await workflow.onEscalated(escalateVerdict(intent));
    await workflow.onEscalated(escalateVerdict(intent));
    await workflow.onIntents([intent]);
    expect([...db.tables.tasks.values()]).toHaveLength(1);
    expect(db.outboxRows().map((r) => r.type)).toEqual([EventTypes.EscalationOpened]);
    expect(notifier.notices).toHaveLength(1); // one opening, one notification
  });

  it("notifies the route's webhook after opening, with the queue and the due time", async () => {
    const { workflow, notifier } = escalationUnderTest();
    const intent = proposal({}, { action: 'pricing.set_price' });
    await workflow.onIntents([intent]);
    await workflow.onEscalated(escalateVerdict(intent));
    expect(notifier.notices).toEqual([
      {
        url: 'https://hooks.example.com/default',
        text: expect.stringMatching(
          /svc-agent-1 wants pricing\.set_price on order-7 — refunds need a human\. Queue reviewers, due 2026-03-02T09:01:00\.000Z\.$/,
        ),
      },
    ]);
  });

  it('keeps the owner labels of the agent on the task', async () => {
    const { open } = escalationUnderTest();
    const task = await open(proposal({}, { agent: agent({ owner: 'u-owner', team: 'care' }) }));
    expect(task).toMatchObject({ owner: 'u-owner', owner_team: 'care' });
  });

  it('commits a task with its opened event or not at all', async () => {
    const { workflow, db } = escalationUnderTest();
    const intent = proposal();
    await workflow.onIntents([intent]);
    db.failNext('addToOutbox');
    await expect(workflow.onEscalated(escalateVerdict(intent))).rejects.toThrow('addToOutbox failed');
    expect(db.taskOf(intent.data.intentId)).toBeUndefined();
    expect(db.outboxRows()).toEqual([]);
    // The redelivered verdict (the consumer retries) opens it.
    await workflow.onEscalated(escalateVerdict(intent));
    expect(db.taskOf(intent.data.intentId)?.status).toBe('open');
    expect(db.outboxRows()).toHaveLength(1);
  });

  it('closes an open task as timed out when ingest answered the agent, without a second decision', async () => {
    const { workflow, open, db, clock } = escalationUnderTest();
    const task = await open();
    clock.advance(5000);
    await workflow.onAgentTimedOut({ ...task.decision!, verdict: 'deny', decidedBy: 'timeout' });
    const closed = db.task(task.id)!;
    expect(closed).toMatchObject({
      status: 'resolved',
      resolution: 'timed_out',
      final_decision: null,
      due_at: null,
    });
    expect(closed.resolved_at).toEqual(clock.now());
    expect(closed.history.at(-1)).toMatchObject({
      by: 'ingest',
      what: expect.stringMatching(/^timed_out: /),
    });
    expect(db.outboxRows().map((r) => [r.type, r.key])).toEqual([
      [EventTypes.EscalationOpened, task.intent_id],
      [EventTypes.EscalationResolved, task.intent_id],
    ]);
    expect(db.outboxRows()[1].envelope.data).toMatchObject({ resolution: 'timed_out', reviewers: [] });

    // Again (redelivery), or for an intent without a task: nothing happens.
    await workflow.onAgentTimedOut({ ...task.decision!, verdict: 'deny', decidedBy: 'timeout' });
    await workflow.onAgentTimedOut({ ...task.decision!, intentId: '0190e1a2-0000-7000-8000-000000000000' });
    expect(db.outboxRows()).toHaveLength(2);
  });

  it('resolves with the final decision (valid for the TTL) and queues the callback in the same transaction', async () => {
    const { workflow, tasks, open, db, clock, config } = escalationUnderTest();
    const task = await open(
      proposal({ amount: 120 }, { agent: agent({ callbackUrl: 'https://agent.example.com/cb' }) }),
    );
    const final = await tasks.transaction((tx) => workflow.resolve(tx, task, APPROVED_BY_U1));
    expect(final).toMatchObject({
      intentId: task.intent_id,
      verdict: 'allow',
      decidedBy: 'human',
      reviewers: ['u-1'],
      decisionSource: `escalation:customer-service:${task.id}`,
      reasons: [
        { policyId: 'agentops.escalation.review', message: 'approved by u-1', effect: 'allow' },
        ...task.reasons,
      ],
      expiresAt: new Date(clock.now().getTime() + config.ESCALATION_DECISION_TTL_MS).toISOString(),
    });
    const decided = db.outboxRows().find((r) => r.type === EventTypes.IntentDecided)!;
    expect(decided.key).toBe(task.agent_id);
    expect(db.task(task.id)?.final_decision).toEqual(JSON.parse(JSON.stringify(final)));
    expect(db.callbackRows()).toEqual([
      expect.objectContaining({
        id: decided.id,
        url: 'https://agent.example.com/cb',
        body: { eventId: decided.id, intentId: task.intent_id, decision: JSON.parse(JSON.stringify(final)) },
        attempts: 0,
      }),
    ]);
  });
  it("keeps the human's decision in the escalated intent's trace, not the reviewer's request's", async () => {
    const { workflow, tasks, db } = escalationUnderTest();
    const intent = proposal({ amount: 120 });
    const verdict = escalateVerdict(intent);
    await workflow.onIntents([intent]);
    await workflow.onEscalated(verdict);
    const task = db.taskOf(intent.data.intentId)!;
    expect(task.decision_traceparent).toBe(verdict.traceparent);
    await tasks.transaction((tx) => workflow.resolve(tx, task, APPROVED_BY_U1));
    const decided = db.outboxRows().find((r) => r.type === EventTypes.IntentDecided)!;
    expect(traceIdOf(decided.envelope.traceparent)).toBe(traceIdOf(verdict.traceparent));
    expect(decided.envelope.traceparent).not.toBe(verdict.traceparent);
  });
});

describe('TaskWorkflow: security reviews of quarantined agents (issue #17)', () => {
  const SWITCH = '0190a0a0-0000-7000-8000-0000000000aa';
  const anomaly = (severity: 'high' | 'medium', message = 'read 400 customer records in 30 s') =>
    createEvent(
      EventTypes.AccessAnomalyDetected,
      {
        anomalyId: newEventId(),
        agentId: 'svc-agent-1',
        tenantId: 'maison',
        role: 'service' as const,
        version: '1',
        feature: 'records' as const,
        detector: 'ewma' as const,
        severity,
        observed: 400,
        baseline: 4,
        deviation: 12.5,
        baselineFrom: 'agent' as const,
        window: { start: '2026-12-01T09:00:00.000Z', end: '2026-12-01T09:01:00.000Z', intents: 2 },
        detectedAt: '2026-12-01T09:00:30.000Z',
        message,
        ...(severity === 'high' ? { quarantine: { switchId: SWITCH } } : {}),
      },
      { source: 'agentops/access', tenantid: 'maison', agentid: 'svc-agent-1' },
    ) as EventEnvelope<AccessAnomalyDetectedV1>;
  const rules = loadRoutingRulesFile('policies/escalation/routes.yaml');
  const reviewer = (groups: string[]): Principal => ({
    kind: 'human',
    id: 'sec-1',
    tenantId: 'maison',
    roles: ['reviewer'],
    groups,
  });

  it("opens one task per quarantine in the security reviewers' queue; later anomalies join its evidence", async () => {
    const { workflow, db } = escalationUnderTest({ rules });
    const first = anomaly('high');
    await workflow.onAccessAnomaly(first);
    await workflow.onAccessAnomaly(first);
    await workflow.onAccessAnomaly(anomaly('high', 'reached 900 distinct customers'));
    await workflow.onAccessAnomaly(anomaly('medium'));
    const tasks = [...db.tables.tasks.values()];
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      kind: 'security_review',
      intent_id: SWITCH,
      agent_id: 'svc-agent-1',
      action: 'access.security_review',
      route: 'security-review',
      reviewer_group: 'security-reviewers',
      decision_event_id: first.id,
      intent: null,
    });
    expect(tasks[0].anomalies.map((a) => a.message)).toEqual([
      'read 400 customer records in 30 s',
      'reached 900 distinct customers',
    ]);
    expect(tasks[0].reasons[0].message).toMatch(/records ewma .*read 400 customer records/);
    expect(db.outboxRows().map((r) => r.type)).toEqual([EventTypes.EscalationOpened]);
  });

  it('resolves without publishing a decision: there is no intent to decide', async () => {
    const { workflow, db, review } = escalationUnderTest({ rules });
    await workflow.onAccessAnomaly(anomaly('high'));
    const [task] = [...db.tables.tasks.values()];
    const view = await review.reject(reviewer(['security-reviewers']), task.id, {
      comment: 'false positive',
    });
    expect(view).toMatchObject({ kind: 'security_review', status: 'resolved', resolution: 'rejected' });
    expect(view.finalDecision).toBeNull();
    expect(db.outboxRows().map((r) => r.type)).toEqual([
      EventTypes.EscalationOpened,
      EventTypes.EscalationResolved,
    ]);
  });
});
