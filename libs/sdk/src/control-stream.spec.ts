import { ControlStream, reconnectDelayMs } from './control-stream';

const encoder = new TextEncoder();

/** A scripted control stream: each connection answers the next script (or fails when none is left). */
type Script =
  | { kind: 'refuse'; status: number; retryAfter?: string }
  | { kind: 'fail' }
  /** Says hello, stays up `upMs`, then ends. */
  | { kind: 'serve'; upMs: number; events?: string[] };

function fakeIngest(scripts: Script[]) {
  const connectedAt: number[] = [];
  const fetch = jest.fn(async () => {
    connectedAt.push(Date.now());
    const script = scripts.shift() ?? { kind: 'fail' };
    if (script.kind === 'fail') throw new Error('ECONNREFUSED');
    if (script.kind === 'refuse')
      return new Response('{}', {
        status: script.status,
        headers: script.retryAfter ? { 'retry-after': script.retryAfter } : {},
      });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('event: hello\ndata: {}\n\n'));
        for (const e of script.events ?? []) controller.enqueue(encoder.encode(e));
        setTimeout(() => controller.close(), script.upMs);
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, connectedAt };
}

function streamUnderTest(fetch: typeof globalThis.fetch, random = () => 0.999999) {
  const warnings: string[] = [];
  const halts: string[] = [];
  const stream = new ControlStream({
    url: 'http://ingest/v1/control/stream',
    apiKey: 'k',
    fetch,
    onHalt: (h) => halts.push(h.switchId),
    onResume: () => undefined,
    onWarning: (m) => warnings.push(m),
    random,
  });
  return { stream, warnings, halts };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('ControlStream reconnects', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('backs off exponentially while the server is unreachable, capped at 30 s', async () => {
    const { fetch, connectedAt } = fakeIngest([]);
    const { stream } = streamUnderTest(fetch);
    void stream.start();
    await jest.advanceTimersByTimeAsync(200_000);
    stream.stop();
    // Full jitter drawn at its top (random ≈ 1): just under 1 s, 2 s, 4 s … then 30 s.
    expect(gaps(connectedAt).slice(0, 7)).toEqual([999, 1999, 3999, 7999, 15999, 29999, 29999]);
  });

  it('spreads reconnects with full jitter', async () => {
    const { fetch, connectedAt } = fakeIngest([]);
    const { stream } = streamUnderTest(fetch, () => 0.25);
    void stream.start();
    await jest.advanceTimersByTimeAsync(10_000);
    stream.stop();
    expect(gaps(connectedAt).slice(0, 3)).toEqual([250, 500, 1000]);
  });

  it('starts the backoff over after a connection that stayed up', async () => {
    const { fetch, connectedAt } = fakeIngest([
      { kind: 'fail' },
      { kind: 'fail' },
      { kind: 'fail' },
      { kind: 'serve', upMs: 60_000 },
    ]);
    const { stream } = streamUnderTest(fetch);
    const started = stream.start();
    await jest.advanceTimersByTimeAsync(8_000); // three failures: 1 s, 2 s, 4 s apart
    await started; // the fourth connection said hello
    await jest.advanceTimersByTimeAsync(62_000);
    stream.stop();
    expect(gaps(connectedAt).slice(0, 5)).toEqual([999, 1999, 3999, 60_000 + 999, 1999]);
  });

  it('does not start over after a connection that dropped right after its hello', async () => {
    const { fetch, connectedAt } = fakeIngest([
      { kind: 'fail' },
      { kind: 'serve', upMs: 100 },
      { kind: 'serve', upMs: 100 },
    ]);
    const { stream } = streamUnderTest(fetch);
    void stream.start();
    await jest.advanceTimersByTimeAsync(9_000);
    stream.stop();
    // Up 100 ms each: the backoff goes on growing (1 s, 2 s, 4 s, 8 s), never back to 1 s.
    expect(gaps(connectedAt)).toEqual([999, 100 + 1999, 100 + 3999]);
  });

  it('waits at least the Retry-After of a 429', async () => {
    const { fetch, connectedAt } = fakeIngest([
      { kind: 'refuse', status: 429, retryAfter: '20' },
      { kind: 'serve', upMs: 60_000 },
    ]);
    const { stream, warnings } = streamUnderTest(fetch, () => 0);
    const started = stream.start();
    await jest.advanceTimersByTimeAsync(19_999);
    expect(connectedAt).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await started;
    stream.stop();
    expect(gaps(connectedAt)).toEqual([20_000]);
    expect(warnings).toEqual(['control stream dropped; reconnecting']);
  });

  it('delivers halts and stops waiting at once when stopped', async () => {
    const { fetch, connectedAt } = fakeIngest([
      { kind: 'serve', upMs: 10, events: ['event: halt\ndata: {"switchId":"ks-1","reason":"r"}\n\n'] },
    ]);
    const { stream, halts } = streamUnderTest(fetch);
    await stream.start();
    await jest.advanceTimersByTimeAsync(20); // dropped; now waiting to reconnect
    stream.stop();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(halts).toEqual(['ks-1']);
    expect(connectedAt).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('reconnectDelayMs', () => {
  it('is 1 s · 2^(n-1) at most, capped at 30 s, unless told otherwise', () => {
    const top = { random: () => 0.999999 };
    expect([1, 2, 3, 6, 7, 50].map((n) => reconnectDelayMs(n, top))).toEqual([
      999, 1999, 3999, 29999, 29999, 29999,
    ]);
    expect(reconnectDelayMs(3, { ...top, reconnectMs: 100, maxReconnectMs: 300 })).toBe(299);
    expect(reconnectDelayMs(1, { reconnectMs: 5_000, maxReconnectMs: 10, random: () => 0.5 })).toBe(2_500);
  });
});
