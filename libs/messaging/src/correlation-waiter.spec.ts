import { CorrelationWaiter, WaitResult } from './correlation-waiter';

/** Lets a test look at a promise's state without awaiting it. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T } {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

/** Runs pending promise callbacks (fake timers do not touch microtasks). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('CorrelationWaiter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('times out at the deadline, not before', async () => {
    const waiter = new CorrelationWaiter<string>();
    const result = track(waiter.wait('i1', 1000));
    expect(waiter.pending).toBe(1);

    jest.advanceTimersByTime(999);
    await flush();
    expect(result.settled).toBe(false);

    jest.advanceTimersByTime(1);
    await flush();
    expect(result).toEqual({ settled: true, value: { kind: 'timeout' } });
    expect(waiter.pending).toBe(0);
  });

  it('resolves a waiter when its reply is delivered, and clears its timer', async () => {
    const waiter = new CorrelationWaiter<string>();
    const promise = waiter.wait('i1', 5000);
    expect(jest.getTimerCount()).toBe(1);

    expect(waiter.deliver('i1', 'allow')).toBe(true);
    await expect(promise).resolves.toEqual({ kind: 'reply', value: 'allow' });
    expect(jest.getTimerCount()).toBe(0);
    expect(waiter.pending).toBe(0);
  });

  it('ignores replies for other correlation ids', async () => {
    const waiter = new CorrelationWaiter<string>();
    const result = track(waiter.wait('i1', 1000));
    waiter.deliver('i2', 'allow');
    await flush();
    expect(result.settled).toBe(false);
    jest.advanceTimersByTime(1000);
    await flush();
    expect(result.value).toEqual({ kind: 'timeout' });
  });

  it('a reply after the timeout does not change the answer', async () => {
    const waiter = new CorrelationWaiter<string>();
    const promise = waiter.wait('i1', 100);
    jest.advanceTimersByTime(100);
    await expect(promise).resolves.toEqual({ kind: 'timeout' });
    expect(waiter.deliver('i1', 'allow')).toBe(false);
    await expect(promise).resolves.toEqual({ kind: 'timeout' });
  });

  it('answers at once from a reply that arrived before the wait', async () => {
    const waiter = new CorrelationWaiter<string>();
    expect(waiter.deliver('i1', 'deny')).toBe(false);
    const result = track(waiter.wait('i1', 1000));
    await flush();
    expect(result).toEqual({ settled: true, value: { kind: 'reply', value: 'deny' } });
    expect(jest.getTimerCount()).toBe(0);
    expect(waiter.pending).toBe(0);
  });

  it('does not serve an early reply older than its TTL', async () => {
    const waiter = new CorrelationWaiter<string>(30_000);
    waiter.deliver('i1', 'deny');
    jest.advanceTimersByTime(30_001);
    const result = track(waiter.wait('i1', 1000));
    await flush();
    expect(result.settled).toBe(false);
    jest.advanceTimersByTime(1000);
    await flush();
    expect(result.value).toEqual({ kind: 'timeout' });
  });

  it('serves an early reply within its TTL', async () => {
    const waiter = new CorrelationWaiter<string>(30_000);
    waiter.deliver('i1', 'deny');
    jest.advanceTimersByTime(29_000);
    await expect(waiter.wait('i1', 1000)).resolves.toEqual({ kind: 'reply', value: 'deny' });
  });

  it('wakes every waiter of the same correlation id', async () => {
    const waiter = new CorrelationWaiter<string>();
    const a = waiter.wait('i1', 1000);
    const b = waiter.wait('i1', 3000);
    const other = track(waiter.wait('i2', 3000));
    expect(waiter.pending).toBe(2); // distinct correlation ids

    expect(waiter.deliver('i1', 'allow')).toBe(true);
    await expect(Promise.all([a, b])).resolves.toEqual([
      { kind: 'reply', value: 'allow' },
      { kind: 'reply', value: 'allow' },
    ]);
    await flush();
    expect(other.settled).toBe(false);
    expect(waiter.pending).toBe(1);
  });

  it('times waiters of the same id out independently', async () => {
    const waiter = new CorrelationWaiter<string>();
    const short = waiter.wait('i1', 100);
    const long = track(waiter.wait('i1', 1000));

    jest.advanceTimersByTime(100);
    await expect(short).resolves.toEqual({ kind: 'timeout' });
    await flush();
    expect(long.settled).toBe(false);
    expect(waiter.pending).toBe(1);

    expect(waiter.deliver('i1', 'escalate')).toBe(true);
    await flush();
    expect(long.value).toEqual({ kind: 'reply', value: 'escalate' });
  });

  it('cancelAll releases every waiter as a timeout and clears the timers', async () => {
    const waiter = new CorrelationWaiter<string>();
    const all: Promise<WaitResult<string>>[] = [
      waiter.wait('i1', 1000),
      waiter.wait('i1', 1000),
      waiter.wait('i2', 1000),
    ];
    waiter.cancelAll();
    await expect(Promise.all(all)).resolves.toEqual([
      { kind: 'timeout' },
      { kind: 'timeout' },
      { kind: 'timeout' },
    ]);
    expect(waiter.pending).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('an aborted wait ends at once and leaves the other waiters for the id in place', async () => {
    const waiter = new CorrelationWaiter<string>();
    const abort = new AbortController();
    const stopped = track(waiter.wait('i1', 5000, abort.signal));
    const other = track(waiter.wait('i1', 5000));
    abort.abort();
    await flush();
    expect(stopped).toEqual({ settled: true, value: { kind: 'timeout' } });
    expect(other.settled).toBe(false);
    waiter.deliver('i1', 'allow');
    await flush();
    expect(other.value).toEqual({ kind: 'reply', value: 'allow' });
    expect(waiter.pending).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });
});
