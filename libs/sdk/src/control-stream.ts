import { createParser } from 'eventsource-parser';
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
  reconnectMs?: number;
}

/**
 * Listens on ingest's control stream (Server-Sent Events) and reconnects when it drops. Halts
 * already active are replayed by the server on connect, so a reconnect misses nothing.
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
    while (!this.abort.signal.aborted) {
      try {
        const res = await this.options.fetch(this.options.url, {
          headers: { 'x-api-key': this.options.apiKey, accept: 'text/event-stream' },
          signal: this.abort.signal,
        });
        if (!res.ok || !res.body) throw new Error(`control stream answered HTTP ${res.status}`);
        const parser = createParser({
          onEvent: (e) => {
            if (e.event === 'hello') ready();
            else if (e.event === 'halt') this.options.onHalt(JSON.parse(e.data) as Halt);
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
      if (!this.abort.signal.aborted)
        await new Promise((r) => setTimeout(r, this.options.reconnectMs ?? 1000));
    }
  }
}
