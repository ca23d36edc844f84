import { TelemetryReport } from '@agentops/contracts';
import { AgentOpsClient } from './client';
import { AgentOpsRequestError, IntentDeniedError } from './errors';
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

describe('AgentOpsClient: retries of one call', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const outcome = { intentId, action: intent.action, status: 'succeeded' as const };

  /** Each call answers the next scripted reply and records when it came (fake time). */
  function scripted(answers: (Response | Error)[]) {
    const at: number[] = [];
    const fetch = jest.fn(async () => {
      at.push(Date.now());
      const answer = answers.shift() ?? json(201, { outcomeId: 'o-1' });
      if (answer instanceof Error) throw answer;
      return answer;
    }) as unknown as typeof globalThis.fetch;
    const client = new AgentOpsClient({ baseUrl: 'http://ingest', apiKey: 'k', fetch, attempts: 3 });
    return { client, at };
  }

  async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
    const outcome = promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await advance(130_000);
    return outcome;
  }

  it('honours a 429’s Retry-After before trying again', async () => {
    const { client, at } = scripted([json(429, { error: 'rate_limited' }, { 'retry-after': '7' })]);
    const result = await settle(client.reportOutcome(outcome));
    expect(result.value).toEqual({ outcomeId: 'o-1' });
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(7_000);
    expect(at[1]! - at[0]!).toBeLessThan(7_200);
  });

  it('gives up on a 429 after its attempts with the status and the Retry-After', async () => {
    const throttled = () => json(429, { error: 'rate_limited' }, { 'retry-after': '2' });
    const { client, at } = scripted([throttled(), throttled(), throttled()]);
    const result = await settle(client.reportOutcome(outcome));
    expect(at).toHaveLength(3);
    expect(result.error).toBeInstanceOf(AgentOpsRequestError);
    expect(result.error).toMatchObject({ status: 429, retryAfterMs: 2_000 });
  });

  it('retries a 5xx and a network error with backoff, never a 400', async () => {
    const { client, at } = scripted([json(503, {}), new TypeError('fetch failed')]);
    expect((await settle(client.reportOutcome(outcome))).value).toEqual({ outcomeId: 'o-1' });
    expect(at).toHaveLength(3);
    // Full jitter below 200 ms, then below 400 ms.
    expect(at[1]! - at[0]!).toBeLessThan(300);
    expect(at[2]! - at[1]!).toBeLessThan(500);

    const refused = scripted([json(400, { errors: [{ path: 'status' }] })]);
    const result = await settle(refused.client.reportOutcome(outcome));
    expect(refused.at).toHaveLength(1);
    expect(result.error).toMatchObject({ status: 400 });
  });

  it('waits a 503’s Retry-After too, and fails with the last error when the server stays down', async () => {
    const down = () => json(503, {}, { 'retry-after': '5' });
    const { client, at } = scripted([down(), down(), down()]);
    const result = await settle(client.reportOutcome(outcome));
    expect(gaps(at).every((g) => g >= 5_000)).toBe(true);
    expect((result.error as Error).message).toBe('HTTP 503');
  });
});

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('AgentOpsClient: data access', () => {
  const subject = `customer_${'b'.repeat(32)}`;

  function recording() {
    const bodies: unknown[] = [];
    const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
      bodies.push({ path: new URL(String(input)).pathname, body: JSON.parse(String(init?.body)) });
      return json(202, { telemetryId: 't-1', status: 'accepted' });
    }) as unknown as typeof globalThis.fetch;
    return { client: new AgentOpsClient({ baseUrl: 'http://ingest', apiKey: 'k', fetch }), bodies };
  }

  it('reports a read as data_access telemetry that ingest validates as an access report', async () => {
    const { client, bodies } = recording();
    await client.recordDataAccess({
      source: 'crm.customers',
      dataClasses: ['customer.pii'],
      recordCount: 3,
      subjectIds: [subject],
      intentId,
    });
    expect(bodies).toEqual([
      {
        path: '/v1/telemetry',
        body: {
          kind: 'data_access',
          name: 'crm.customers',
          records: 3,
          dataClasses: ['customer.pii'],
          intentId,
          access: {
            kind: 'read',
            source: 'crm.customers',
            dataClasses: ['customer.pii'],
            records: 3,
            subjectIds: [subject],
            intentId,
          },
        },
      },
    ]);
    expect(TelemetryReport.safeParse((bodies[0] as { body: unknown }).body).success).toBe(true);
  });

  it('makes an access with a destination an egress', async () => {
    const { client, bodies } = recording();
    await client.recordDataAccess({ source: 'crm.customers', recordCount: 1, destination: 'mail.example' });
    const sent = (bodies[0] as { body: { access: unknown } }).body;
    expect(sent.access).toEqual({
      kind: 'egress',
      source: 'crm.customers',
      records: 1,
      destination: 'mail.example',
    });
    expect(TelemetryReport.safeParse(sent).success).toBe(true);
  });
});
