import { AgentIdentity, EscalationOpenedV1, IntentDecidedV1, IntentProposal } from '@agentops/contracts';
import { CorrelationWaiter, EventPublisher } from '@agentops/messaging';
import { ManualClock } from '@agentops/service-runtime';
import { IngestConfig } from '../config';
import {
  DecisionBoard,
  ReviewNews,
  ReviewTask,
  StoredDecision,
  reviewTaskOf,
} from '../decisions/decision-board';
import { KillSwitchEnforcement } from '../killswitch/kill-switch-enforcement';
import { DecisionPublisher } from '../decisions/decision-publisher';
import { IdempotencyClaim, IdempotencyStore } from './idempotency-store';
import { IdempotencyKeyReusedError, IntentSubmission } from './intent-submission';

/** The store's behaviour in memory: the first claim of an agent's key holds it. */
class MemoryIdempotencyStore extends IdempotencyStore {
  readonly claims = new Map<string, IdempotencyClaim>();

  async claim(agentId: string, key: string, claim: IdempotencyClaim) {
    const held = this.claims.get(`${agentId}:${key}`);
    if (held) return held;
    this.claims.set(`${agentId}:${key}`, claim);
    return null;
  }
}

/** The board's behaviour in memory: the same record rule (first final wins, escalate is provisional). */
class MemoryBoard {
  readonly stored = new Map<string, StoredDecision>();
  readonly reviews = new Map<string, ReviewTask>();
  private readonly waiter = new CorrelationWaiter<IntentDecidedV1>();
  private readonly watchers = new Map<string, Set<(n: ReviewNews) => void>>();

  wait(id: string, ms: number, signal?: AbortSignal) {
    return this.waiter.wait(id, ms, signal);
  }
  wakeWaiters(d: IntentDecidedV1) {
    if (d.verdict === 'escalate') this.tell(d.intentId, { escalated: d });
    else this.waiter.deliver(d.intentId, d);
  }
  wakeReviewWatchers(opened: EscalationOpenedV1) {
    this.tell(opened.intentId, { task: reviewTaskOf(opened) });
  }
  watchReview(id: string, listener: (n: ReviewNews) => void) {
    const set = this.watchers.get(id) ?? new Set();
    set.add(listener);
    this.watchers.set(id, set);
    return () => set.delete(listener);
  }
  async record(d: IntentDecidedV1, options: { replaceEscalate?: boolean } = {}) {
    const current = this.stored.get(d.intentId);
    const replace = d.verdict !== 'escalate' && (options.replaceEscalate ?? true);
    if (!current || (replace && current.decision.verdict === 'escalate'))
      this.stored.set(d.intentId, { agentId: d.agentId, decision: d });
  }
  async find(id: string) {
    return this.stored.get(id) ?? null;
  }
  async findReview(id: string) {
    return this.reviews.get(id) ?? null;
  }
  private tell(id: string, news: ReviewNews) {
    for (const l of this.watchers.get(id) ?? []) l(news);
  }
}

const agent = {
  id: 'agent-1',
  tenantId: 't1',
  role: 'service',
  version: '1.0.0',
  region: 'eu',
} as AgentIdentity;
const proposal = {
  action: 'service.issue_refund',
  target: { type: 'order', id: 'o-1' },
  params: { amount: 900 },
  confidence: 0.9,
  justification: 'damaged on arrival',
  dataUsed: [],
} as IntentProposal;

function decision(intentId: string, over: Partial<IntentDecidedV1>): IntentDecidedV1 {
  const now = new Date().toISOString();
  return {
    intentId,
    agentId: agent.id,
    action: proposal.action,
    verdict: 'allow',
    reasons: [
      { policyId: 'refund-cap', policyVersion: '1', message: 'm', effect: 'escalate', mode: 'enforce' },
    ],
    obligations: [],
    decidedBy: 'policy',
    decidedAt: now,
    expiresAt: now,
    ...over,
  };
}

function opened(intentId: string): EscalationOpenedV1 {
  return {
    taskId: '0190a0a0-0000-7000-8000-000000000001',
    intentId,
    agentId: agent.id,
    route: 'refunds',
    reasons: [],
    slaDueAt: '2026-01-01T00:15:00.000Z',
    timeoutAt: '2026-01-01T00:45:00.000Z',
    timeoutOutcome: 'deny',
    openedAt: '2026-01-01T00:00:00.000Z',
  };
}

/** What guardrail and escalation do once the intent is published, scripted per test. */
type Reaction = (intentId: string, board: MemoryBoard) => void;

function setUp(react: Reaction) {
  const board = new MemoryBoard();
  const idempotency = new MemoryIdempotencyStore();
  const published: { type: string; data: IntentDecidedV1 }[] = [];
  const publisher = {
    publish: jest.fn(async (event: { type: string; data: IntentDecidedV1 }) => {
      published.push(event);
      if (event.type === 'agentops.intent.proposed.v1') react(event.data.intentId, board);
    }),
  } as unknown as EventPublisher;
  const config = {
    DECISION_TIMEOUT_MS: 200,
    DECISION_TIMEOUT_OVERRIDES: [],
    MAX_WAIT_MS: 10_000,
    REVIEW_DETAILS_WAIT_MS: 50,
    REDIS_KEY_PREFIX: '',
    KAFKA_TOPIC_PREFIX: '',
  } as unknown as IngestConfig;
  const killSwitches = { refuseIfCovered: async () => undefined } as unknown as KillSwitchEnforcement;
  const clock = new ManualClock('2026-03-02T09:00:00.000Z');
  const submission = new IntentSubmission(
    publisher,
    board as unknown as DecisionBoard,
    idempotency,
    config,
    killSwitches,
    new DecisionPublisher(publisher, 'agentops/ingest'),
    'agentops/ingest',
    clock,
  );
  const decisions = () => published.filter((e) => e.type === 'agentops.intent.decided.v1').map((e) => e.data);
  return { board, submission, decisions, published, idempotency, clock };
}

/** Asynchronously, as the decisions arrive from Kafka. */
const later = (f: () => void, ms = 5) => void setTimeout(f, ms);

describe('IntentSubmission: what a waiting agent is told', () => {
  it('an escalation is answered pending review with the task and its SLA, and no deny is published', async () => {
    const { submission, decisions, board } = setUp((id, b) => {
      later(() => b.wakeWaiters(decision(id, { verdict: 'escalate' })));
      later(() => b.wakeReviewWatchers(opened(id)), 15);
    });
    const answer = await submission.submit(agent, proposal, { wait: true });
    expect(answer).toMatchObject({
      status: 'pending_review',
      decision: { verdict: 'escalate' },
      escalation: {
        intentId: answer.intentId,
        taskId: '0190a0a0-0000-7000-8000-000000000001',
        route: 'refunds',
        timeoutAt: '2026-01-01T00:45:00.000Z',
        timeoutOutcome: 'deny',
      },
      poll: `/v1/intents/${answer.intentId}/decision`,
    });
    expect(decisions()).toEqual([]);
    expect(board.stored.get(answer.intentId)).toBeUndefined();
  });

  it('without the task in time it answers pending review under the intent id', async () => {
    const { submission, decisions } = setUp((id, b) =>
      later(() => b.wakeWaiters(decision(id, { verdict: 'escalate' }))),
    );
    const answer = await submission.submit(agent, proposal, { wait: true });
    expect(answer).toMatchObject({ status: 'pending_review', escalation: { intentId: answer.intentId } });
    expect(answer.status === 'pending_review' && answer.escalation.taskId).toBeFalsy();
    expect(decisions()).toEqual([]);
  });

  it('a caller that names its wait is held through the review and gets the human decision', async () => {
    const { submission } = setUp((id, b) => {
      later(() => b.wakeWaiters(decision(id, { verdict: 'escalate' })));
      later(() => b.wakeReviewWatchers(opened(id)), 10);
      later(() => b.wakeWaiters(decision(id, { verdict: 'allow', decidedBy: 'human' })), 120);
    });
    const answer = await submission.submit(agent, proposal, { wait: true, timeoutMs: 2000 });
    expect(answer).toMatchObject({ status: 'decided', decision: { verdict: 'allow', decidedBy: 'human' } });
  });

  it('Prefer: respond-async answers pending review at once, even with a named wait', async () => {
    const { submission } = setUp((id, b) => {
      later(() => b.wakeWaiters(decision(id, { verdict: 'escalate' })));
      later(() => b.wakeReviewWatchers(opened(id)), 10);
      later(() => b.wakeWaiters(decision(id, { verdict: 'allow', decidedBy: 'human' })), 1000);
    });
    const answer = await submission.submit(agent, proposal, {
      wait: true,
      timeoutMs: 5000,
      respondAsync: true,
    });
    expect(answer).toMatchObject({ status: 'pending_review', escalation: { route: 'refunds' } });
  });

  it('at the end of a named wait with no human decision it is still pending review, never a deny', async () => {
    const { submission, decisions, board } = setUp((id, b) => {
      const escalate = decision(id, { verdict: 'escalate' });
      later(() => {
        b.wakeWaiters(escalate);
        void b.record(escalate);
      });
    });
    const answer = await submission.submit(agent, proposal, { wait: true, timeoutMs: 100 });
    expect(answer).toMatchObject({ status: 'pending_review', decision: { verdict: 'escalate' } });
    expect(decisions()).toEqual([]);
    // The human's approval still lands where the agent polls.
    await board.record(decision(answer.intentId, { verdict: 'allow', decidedBy: 'human' }));
    expect(board.stored.get(answer.intentId)?.decision).toMatchObject({
      verdict: 'allow',
      decidedBy: 'human',
    });
  });

  it('an escalation recorded by another instance (not heard here) also counts as decided', async () => {
    const { submission, decisions } = setUp((id, b) => void b.record(decision(id, { verdict: 'escalate' })));
    const answer = await submission.submit(agent, proposal, { wait: true, timeoutMs: 50 });
    expect(answer.status).toBe('pending_review');
    expect(decisions()).toEqual([]);
  });

  it('a retry of an escalated intent is told pending review at once, or held when it names its wait', async () => {
    const { submission, board } = setUp((id, b) => void b.record(decision(id, { verdict: 'escalate' })));
    const first = await submission.submit(agent, proposal, { wait: false, idempotencyKey: 'k1' });
    expect(first.status).toBe('pending');
    const again = await submission.submit(agent, proposal, {
      wait: true,
      idempotencyKey: 'k1',
      respondAsync: true,
    });
    expect(again).toMatchObject({ intentId: first.intentId, status: 'pending_review' });
    const held = submission.submit(agent, proposal, { wait: true, timeoutMs: 5000, idempotencyKey: 'k1' });
    later(() => board.wakeWaiters(decision(first.intentId, { verdict: 'allow', decidedBy: 'human' })), 50);
    await expect(held).resolves.toMatchObject({ status: 'decided', decision: { decidedBy: 'human' } });
  });

  it('a retry with the same Idempotency-Key and a different body is refused and publishes nothing', async () => {
    const { submission, published } = setUp(() => undefined);
    const first = await submission.submit(agent, proposal, { wait: false, idempotencyKey: 'k2' });
    expect(first.status).toBe('pending');
    expect(published).toHaveLength(1);
    const changed = { ...proposal, params: { amount: 901 } } as IntentProposal;
    const retry = submission.submit(agent, changed, { wait: false, idempotencyKey: 'k2' });
    await expect(retry).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(retry).rejects.toMatchObject({ code: 'refused', key: 'k2' });
    expect(published).toHaveLength(1);
    // The same body again is a retry of the first intent, not a refusal.
    await expect(
      submission.submit(agent, proposal, { wait: false, idempotencyKey: 'k2' }),
    ).resolves.toMatchObject({ intentId: first.intentId, status: 'pending' });
    expect(published).toHaveLength(1);
  });

  it('claims written before digests were kept (no request digest) are honoured as retries', async () => {
    const { submission, idempotency, published } = setUp(() => undefined);
    idempotency.claims.set(`${agent.id}:old`, { intentId: 'intent-before-digests' });
    await expect(
      submission.submit(agent, proposal, { wait: false, idempotencyKey: 'old' }),
    ).resolves.toMatchObject({ intentId: 'intent-before-digests', status: 'pending' });
    expect(published).toHaveLength(0);
  });

  it('nothing decided: the fail-closed deny, recorded and published once', async () => {
    const { submission, decisions, board } = setUp(() => undefined);
    const answer = await submission.submit(agent, proposal, { wait: true, timeoutMs: 50 });
    expect(answer).toMatchObject({ status: 'decided', decision: { verdict: 'deny', decidedBy: 'timeout' } });
    expect(decisions()).toHaveLength(1);
    expect(board.stored.get(answer.intentId)?.decision.decidedBy).toBe('timeout');
  });

  it("stamps the intent and the fail-closed deny with the clock's time, the deadline the wait after it", async () => {
    const { submission, published, clock } = setUp(() => clock.advance(7_000));
    const answer = await submission.submit(agent, proposal, { wait: true, timeoutMs: 50 });
    const intent = published.find((e) => e.type === 'agentops.intent.proposed.v1') as unknown as {
      time: string;
      data: { proposedAt: string; decisionDeadline: string };
    };
    expect(intent.data.proposedAt).toBe('2026-03-02T09:00:00.000Z');
    expect(intent.time).toBe('2026-03-02T09:00:00.000Z');
    expect(intent.data.decisionDeadline).toBe('2026-03-02T09:00:00.050Z');
    expect(answer).toMatchObject({
      decision: { decidedBy: 'timeout', decidedAt: '2026-03-02T09:00:07.000Z' },
    });
  });

  it('a final policy decision is answered as decided', async () => {
    const { submission } = setUp((id, b) => later(() => b.wakeWaiters(decision(id, { verdict: 'deny' }))));
    await expect(submission.submit(agent, proposal, { wait: true })).resolves.toMatchObject({
      status: 'decided',
      decision: { verdict: 'deny', decidedBy: 'policy' },
    });
  });
});
