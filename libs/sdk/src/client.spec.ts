import { AgentOpsClient } from './client';
import { IntentDeniedError } from './errors';
import type { Decision, PendingReview } from './types';

const intentId = '0190a0a0-0000-7000-8000-0000000000aa';
const intent = {
  action: 'service.issue_refund',
  target: { type: 'order', id: 'o-1' },
  params: { amount: 900 },
  confidence: 0.9,
  justification: 'damaged on arrival',
};

function decision(over: Partial<Decision>): Decision {
  return {
    intentId,
    agentId: 'a1',
    action: intent.action,
    verdict: 'escalate',
    reasons: [
      {
        policyId: 'refund-cap',
        policyVersion: '1',
        message: 'over the cap',
        effect: 'escalate',
        mode: 'enforce',
      },
    ],
    obligations: [],
    decidedBy: 'policy',
    decidedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

const review: PendingReview = {
  intentId,
  taskId: '0190a0a0-0000-7000-8000-0000000000bb',
  route: 'refunds',
  timeoutAt: '2026-01-01T00:30:00.000Z',
  timeoutOutcome: 'deny',
};
const pending = {
  intentId,
  status: 'pending_review',
  decision: decision({}),
  escalation: review,
  poll: `/v1/intents/${intentId}/decision`,
};

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** A fake ingest: the POST answers 202 pending review, then each GET answers the next scripted reply. */
function fakeIngest(polls: Response[]) {
  const calls: string[] = [];
  const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
    calls.push(`${init?.method} ${new URL(String(input)).pathname}`);
    if (init?.method === 'POST') return json(202, pending, { 'retry-after': '3' });
    return polls.shift() ?? json(200, pending, { 'retry-after': '3' });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

/** Advances fake time in small steps, letting the client's promises run in between. */
async function advance(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) await jest.advanceTimersByTimeAsync(100);
}

describe('AgentOpsClient: an escalated intent', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it("guard() runs with the human's approval, polling no sooner than Retry-After", async () => {
    const { fetch, calls } = fakeIngest([
      json(200, pending, { 'retry-after': '3' }),
      json(200, {
        intentId,
        status: 'decided',
        decision: decision({ verdict: 'allow', decidedBy: 'human', reviewers: ['ana'] }),
      }),
    ]);
    const heard: PendingReview[] = [];
    const client = new AgentOpsClient({
      baseUrl: 'http://ingest',
      apiKey: 'k',
      fetch,
      pollIntervalMs: 100,
      onWarning: () => undefined,
    });
    const execute = jest.fn(async () => 'refunded');
    const guarded = client.guard(intent, execute, { onPendingReview: (r) => heard.push(r) });
    await advance(2800);
    expect(calls.filter((c) => c.startsWith('GET'))).toHaveLength(0);
    await advance(400);
    expect(calls.filter((c) => c.startsWith('GET'))).toHaveLength(1);
    expect(execute).not.toHaveBeenCalled();
    await advance(3200);
    await expect(guarded).resolves.toBe('refunded');
    expect(execute).toHaveBeenCalledTimes(1);
    expect(heard).toEqual([review]); // told once, though every answer repeated it
  });

  it("the SLA's timeout outcome is the final decision", async () => {
    const { fetch } = fakeIngest([
      json(200, {
        intentId,
        status: 'decided',
        decision: decision({ verdict: 'deny', decidedBy: 'timeout' }),
      }),
    ]);
    const client = new AgentOpsClient({
      baseUrl: 'http://ingest',
      apiKey: 'k',
      fetch,
      onWarning: () => undefined,
    });
    const execute = jest.fn(async () => 'refunded');
    const guarded = client.guard(intent, execute).catch((e: unknown) => e);
    await advance(3200);
    const error = await guarded;
    expect(error).toBeInstanceOf(IntentDeniedError);
    expect((error as IntentDeniedError).decision).toMatchObject({ verdict: 'deny', decidedBy: 'timeout' });
    expect(execute).not.toHaveBeenCalled();
  });

  it('still pending at maxWaitMs: fails closed, naming the review', async () => {
    const { fetch } = fakeIngest([]);
    const client = new AgentOpsClient({
      baseUrl: 'http://ingest',
      apiKey: 'k',
      fetch,
      maxWaitMs: 10_000,
      onWarning: () => undefined,
    });
    const proposed = client.propose(intent);
    await advance(10_200);
    const answer = await proposed;
    expect(answer).toMatchObject({ verdict: 'deny', decidedBy: 'timeout', intentId });
    expect(answer.reasons[0].message).toContain(`pending review in task ${review.taskId}`);
  });

  it('backs off between polls when the server names no Retry-After', async () => {
    const calls: number[] = [];
    const fetch = jest.fn(async (_input: string | URL | Request, init?: RequestInit) => {
      if (init?.method === 'POST') return json(202, pending);
      calls.push(Date.now());
      return json(200, pending);
    }) as unknown as typeof globalThis.fetch;
    const client = new AgentOpsClient({
      baseUrl: 'http://ingest',
      apiKey: 'k',
      fetch,
      maxWaitMs: 5_000,
      pollIntervalMs: 200,
      maxPollIntervalMs: 1600,
      onWarning: () => undefined,
    });
    const proposed = client.propose(intent);
    await advance(5_200);
    await proposed;
    // 200, 400, 800, 1600, 1600 ms apart (fake time): 5 polls within 5 s, not 25.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.length).toBeLessThanOrEqual(6);
  });
});
