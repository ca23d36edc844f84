import { withRetries } from './with-retries';

const schedule = { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' as const };

/** Runs `promise` to its end while advancing jest's fake clock. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await jest.runAllTimersAsync();
  return outcome;
}

describe('withRetries', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('returns the first success without waiting', async () => {
    const operation = jest.fn(async () => 'ok');
    await expect(withRetries(operation, { maxAttempts: 3, schedule })).resolves.toBe('ok');
    expect(operation).toHaveBeenCalledTimes(1);
    expect(operation).toHaveBeenCalledWith(1);
  });

  it('retries a failure after the schedule’s delays and returns the later success', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = settle(
      withRetries(
        async (attempt) => {
          calls++;
          if (attempt < 3) throw new Error(`fail ${attempt}`);
          return attempt;
        },
        { maxAttempts: 5, schedule, onRetry: (_e, _n, ms) => waits.push(ms) },
      ),
    );
    expect(await result).toEqual({ value: 3 });
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('waits the delay before the retry, not less', async () => {
    let calls = 0;
    const running = withRetries(
      async () => {
        calls++;
        if (calls === 1) throw new Error('once');
        return 'second';
      },
      { maxAttempts: 2, schedule },
    );
    await jest.advanceTimersByTimeAsync(99);
    expect(calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await expect(running).resolves.toBe('second');
  });

  it('throws the last failure unchanged after maxAttempts calls', async () => {
    let calls = 0;
    const outcome = await settle(
      withRetries(
        async () => {
          calls++;
          throw new Error(`failure ${calls}`);
        },
        { maxAttempts: 3, schedule },
      ),
    );
    expect(calls).toBe(3);
    expect((outcome.error as Error).message).toBe('failure 3');
  });

  it('throws at once a failure retryOn refuses', async () => {
    class Permanent extends Error {}
    let calls = 0;
    const outcome = await settle(
      withRetries(
        async () => {
          calls++;
          throw calls === 1 ? new Error('transient') : new Permanent('permanent');
        },
        { maxAttempts: 10, schedule, retryOn: (e) => !(e instanceof Permanent) },
      ),
    );
    expect(calls).toBe(2);
    expect(outcome.error).toBeInstanceOf(Permanent);
  });

  it('never retries with maxAttempts 1', async () => {
    let calls = 0;
    const outcome = await settle(
      withRetries(
        async () => {
          calls++;
          throw new Error('no');
        },
        { maxAttempts: 1, schedule },
      ),
    );
    expect(calls).toBe(1);
    expect((outcome.error as Error).message).toBe('no');
  });

  it('waits at least what the failure asks for (a Retry-After)', async () => {
    const waits: number[] = [];
    class Throttled extends Error {
      constructor(readonly retryAfterMs: number) {
        super('429');
      }
    }
    let calls = 0;
    await settle(
      withRetries(
        async () => {
          calls++;
          if (calls === 1) throw new Throttled(5_000);
          if (calls === 2) throw new Throttled(10);
          return 'ok';
        },
        {
          maxAttempts: 3,
          schedule,
          minDelayMsOf: (e) => (e instanceof Throttled ? e.retryAfterMs : undefined),
          onRetry: (_e, _n, ms) => waits.push(ms),
        },
      ),
    );
    expect(waits).toEqual([5_000, 200]);
  });

  it('runs beforeRetry after each wait and ends on its failure without retrying it', async () => {
    const order: string[] = [];
    let calls = 0;
    const outcome = await settle(
      withRetries(
        async (attempt) => {
          calls++;
          order.push(`attempt ${attempt}`);
          throw new Error('handler');
        },
        {
          maxAttempts: 5,
          schedule,
          beforeRetry: async () => {
            order.push('heartbeat');
            if (calls === 2) throw new Error('rebalancing');
          },
        },
      ),
    );
    expect(order).toEqual(['attempt 1', 'heartbeat', 'attempt 2', 'heartbeat']);
    expect((outcome.error as Error).message).toBe('rebalancing');
  });

  it('stops retrying once its signal is aborted', async () => {
    const abort = new AbortController();
    let calls = 0;
    const outcome = await settle(
      withRetries(
        async () => {
          calls++;
          if (calls === 2) abort.abort();
          throw new Error(`failure ${calls}`);
        },
        { maxAttempts: 10, schedule, signal: abort.signal },
      ),
    );
    expect(calls).toBe(2);
    expect((outcome.error as Error).message).toBe('failure 2');
  });

  it('draws jittered delays from the random source it is given', async () => {
    const waits: number[] = [];
    let calls = 0;
    await settle(
      withRetries(
        async () => {
          if (++calls < 3) throw new Error('again');
        },
        {
          maxAttempts: 3,
          schedule: { initialDelayMs: 100, maxDelayMs: 1_000 },
          random: () => 0.5,
          onRetry: (_e, _n, ms) => waits.push(ms),
        },
      ),
    );
    expect(waits).toEqual([50, 100]);
  });
});
