import { RandomSource, backoffDelayMs } from '@agentops/retry';
import { createParser } from 'eventsource-parser';
import { parseRetryAfter } from './retry-after';
import type { Halt, RolloutConfig } from './types';

export interface ControlStreamOptions {
  url: string;
  apiKey: string;
  fetch: typeof fetch;
  onHalt: (halt: Halt) => void;
  onResume: (halt: Halt) => void;
  /** A rollout covering this agent, at connect and on every change (`event: rollout`). */
  onRollout?: (rollout: RolloutConfig) => void;
  onWarning: (message: string, error?: unknown) => void;
  /** Reconnects back off from this (ms, full jitter), doubling up to `maxReconnectMs`. Default 1 s. */
  reconnectMs?: number;
  /** The longest wait between two reconnects. Default 30 s. */
  maxReconnectMs?: number;
  /** A connection that stayed up this long (ms) after its `hello` was healthy: the backoff starts over. Default 10 s. */
  healthyAfterMs?: number;
  random?: RandomSource;
}

/**
 * Listens on ingest's control stream (Server-Sent Events) and reconnects when it drops. Halts
 * already active are replayed by the server on connect, so a reconnect misses nothing. Reconnects
 * back off exponentially with full jitter (a fleet of agents dropped by one ingest restart does not
 * come back in step), never sooner than a 429's or 503's `Retry-After`, and start over after a
 * healthy connection.
 */
export class ControlStream {
  private readonly abort = new AbortController();
  private connectedOnce?: Promise<void>;

  constructor(private readonly options: ControlStreamOptions) {}

  /** Resolves once the first connection is established (the server's `hello`). */
  start(): Promise<void> {
    let ready!: () => void;
    this.connectedOnce = new Promise<void>((r) => (ready = r));
    void this.loop(ready);
    return this.connectedOnce;
  }

  stop(): void {
    this.abort.abort();
  }

  private async loop(ready: () => void): Promise<void> {
    /** Connections in a row that failed or did not stay up: the backoff's retry number. */
    let failures = 0;
    while (!this.abort.signal.aborted) {
      let connectedAt: number | undefined;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.options.fetch(this.options.url, {
          headers: { 'x-api-key': this.options.apiKey, accept: 'text/event-stream' },
          signal: this.abort.signal,
        });
        if (!res.ok || !res.body) {
          retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
          throw new Error(`control stream answered HTTP ${res.status}`);
        }
        const parser = createParser({
          onEvent: (e) => {
            if (e.event === 'hello') {
              connectedAt = Date.now();
              ready();
            } else if (e.event === 'halt') this.options.onHalt(JSON.parse(e.data) as Halt);
            else if (e.event === 'resume') this.options.onResume(JSON.parse(e.data) as Halt);
            else if (e.event === 'rollout') this.options.onRollout?.(JSON.parse(e.data) as RolloutConfig);
          },
        });
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.options.onWarning('control stream dropped; reconnecting', error);
      }
      if (this.abort.signal.aborted) return;
      const healthy =
        connectedAt !== undefined && Date.now() - connectedAt >= (this.options.healthyAfterMs ?? 10_000);
      failures = healthy ? 1 : failures + 1;
      await this.wait(Math.max(reconnectDelayMs(failures, this.options), retryAfterMs ?? 0));
    }
  }

  /** Sleeps `ms`, or less if stopped meanwhile. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The wait before the `failures`-th reconnect in a row: 1 s, 2 s, 4 s … ≤ 30 s, full jitter. */
export function reconnectDelayMs(
  failures: number,
  options: Pick<ControlStreamOptions, 'reconnectMs' | 'maxReconnectMs' | 'random'> = {},
): number {
  const initialDelayMs = options.reconnectMs ?? 1_000;
  return backoffDelayMs(
    failures,
    { initialDelayMs, maxDelayMs: Math.max(initialDelayMs, options.maxReconnectMs ?? 30_000) },
    options.random,
  );
}
