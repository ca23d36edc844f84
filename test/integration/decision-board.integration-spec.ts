import { EscalationOpenedV1, IntentDecidedV1 } from '@agentops/contracts';
import { newEventId } from '@agentops/messaging';
import { DecisionBoard } from '../../services/ingest/src/decisions/decision-board';
import { IngestConfig } from '../../services/ingest/src/config';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * Ingest's decision board on the real Redis: the decision an agent that did not wait fetches
 * from any instance (first final decision wins, a stored `escalate` is provisional, ingest's own
 * fail-closed deny never lands on an escalation; an atomic Lua script) and the review task kept
 * beside it, both for 24 hours. Keys are under this suite's own prefix and deleted at the end.
 */
describe('DecisionBoard in Redis', () => {
  const suite = redisForSuite('it-board');
  const { redis, config } = suite;
  const board = new DecisionBoard(redis, config as IngestConfig);
  const keyOf = (intentId: string) =>
    `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}ingest:decision:${intentId}`;

  afterAll(async () => {
    board.onModuleDestroy();
    await suite.close();
  });

  const decision = (
    intentId: string,
    verdict: IntentDecidedV1['verdict'],
    decidedBy: IntentDecidedV1['decidedBy'] = 'policy',
  ): IntentDecidedV1 => ({
    intentId,
    agentId: 'it-agent',
    action: 'service.issue_refund',
    verdict,
    reasons: [],
    obligations: [],
    decidedBy,
    decidedAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-03-02T10:00:00.000Z',
  });
  const verdictOf = async (intentId: string) => {
    const stored = await board.find(intentId);
    return stored && [stored.decision.verdict, stored.decision.decidedBy];
  };

  it('keeps the first final decision: a later one never changes what the agent is shown', async () => {
    const id = newEventId();
    expect(await board.find(id)).toBeNull();
    await board.record(decision(id, 'deny', 'timeout'));
    await board.record(decision(id, 'allow', 'policy'));
    expect(await board.find(id)).toEqual({ agentId: 'it-agent', decision: decision(id, 'deny', 'timeout') });
  });

  it('replaces a stored escalate with the final decision, and never a final decision with an escalate', async () => {
    const id = newEventId();
    await board.record(decision(id, 'escalate'));
    await board.record(decision(id, 'escalate', 'breaker'));
    expect(await verdictOf(id)).toEqual(['escalate', 'policy']);
    await board.record(decision(id, 'allow', 'human'));
    expect(await verdictOf(id)).toEqual(['allow', 'human']);
    await board.record(decision(id, 'escalate'));
    await board.record(decision(id, 'deny', 'human'));
    expect(await verdictOf(id)).toEqual(['allow', 'human']);
  });

  it('records ingest’s fail-closed deny where nothing was decided, never over an escalation', async () => {
    const [nothing, escalated] = [newEventId(), newEventId()];
    await board.record(decision(nothing, 'deny', 'timeout'), { replaceEscalate: false });
    expect(await verdictOf(nothing)).toEqual(['deny', 'timeout']);
    await board.record(decision(escalated, 'escalate'));
    await board.record(decision(escalated, 'deny', 'timeout'), { replaceEscalate: false });
    expect(await verdictOf(escalated)).toEqual(['escalate', 'policy']);
    await board.record(decision(escalated, 'deny', 'human'));
    expect(await verdictOf(escalated)).toEqual(['deny', 'human']);
  });

  it('settles concurrent final decisions from two instances on one of them, the same for both', async () => {
    const id = newEventId();
    await board.record(decision(id, 'escalate'));
    const finals = [
      decision(id, 'allow', 'human'),
      decision(id, 'deny', 'timeout'),
      decision(id, 'deny', 'human'),
    ];
    const other = new DecisionBoard(redis, config as IngestConfig);
    await Promise.all(finals.map((d, i) => (i % 2 ? other : board).record(d)));
    const stored = await board.find(id);
    expect(finals).toContainEqual(stored?.decision);
    expect(await other.find(id)).toEqual(stored);
    other.onModuleDestroy();
  });

  it('leaves a stored value it cannot read alone rather than overwrite it', async () => {
    const id = newEventId();
    await redis.set(keyOf(id), 'not json', 'EX', 60);
    await board.record(decision(id, 'allow'));
    expect(await redis.get(keyOf(id))).toBe('not json');
  });

  it('keeps decisions and review tasks for 24 hours', async () => {
    const id = newEventId();
    await board.record(decision(id, 'deny'));
    const opened: EscalationOpenedV1 = {
      taskId: newEventId(),
      intentId: id,
      agentId: 'it-agent',
      route: 'customer-service',
      reasons: [],
      slaDueAt: '2026-03-02T09:10:00.000Z',
      timeoutAt: '2026-03-02T09:30:00.000Z',
      timeoutOutcome: 'deny',
      openedAt: '2026-03-02T09:00:01.000Z',
    };
    await board.recordReview(opened);
    expect(await board.findReview(id)).toEqual({
      taskId: opened.taskId,
      route: 'customer-service',
      slaDueAt: '2026-03-02T09:10:00.000Z',
      timeoutAt: '2026-03-02T09:30:00.000Z',
      timeoutOutcome: 'deny',
    });
    expect(await board.findReview(newEventId())).toBeNull();
    const reviewKey = `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}ingest:review:${id}`;
    for (const key of [keyOf(id), reviewKey]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(24 * 3600 - 60);
      expect(ttl).toBeLessThanOrEqual(24 * 3600);
    }
  });
});
