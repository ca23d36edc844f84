/**
 * Holds callers until a correlated reply arrives or their deadline passes. ingest uses it to answer
 * an agent that waits for its decision: the decision arrives on a topic, not on the request.
 */
export type WaitResult<T> = { kind: 'reply'; value: T } | { kind: 'timeout' };

interface Waiter<T> {
  resolve: (result: WaitResult<T>) => void;
  timer: NodeJS.Timeout;
}

export class CorrelationWaiter<T> {
  private readonly waiters = new Map<string, Waiter<T>[]>();
  /** Replies that arrive before anyone waits (fast path races) are kept briefly. */
  private readonly early = new Map<string, { value: T; at: number }>();

  constructor(private readonly earlyReplyTtlMs = 30_000) {}

  /** `signal`: the caller stopped waiting for its own reason; the wait ends as a timeout, at once. */
  wait(correlationId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult<T>> {
    const early = this.early.get(correlationId);
    if (early && Date.now() - early.at <= this.earlyReplyTtlMs) {
      return Promise.resolve({ kind: 'reply', value: early.value });
    }
    if (signal?.aborted) return Promise.resolve({ kind: 'timeout' });
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', end);
        this.remove(correlationId, waiter);
        resolve({ kind: 'timeout' });
      };
      const waiter: Waiter<T> = {
        resolve: (result) => {
          signal?.removeEventListener('abort', end);
          resolve(result);
        },
        timer: setTimeout(end, timeoutMs),
      };
      signal?.addEventListener('abort', end, { once: true });
      const list = this.waiters.get(correlationId) ?? [];
      list.push(waiter);
      this.waiters.set(correlationId, list);
    });
  }

  /** Returns whether anyone was waiting. */
  deliver(correlationId: string, value: T): boolean {
    const list = this.waiters.get(correlationId);
    if (!list) {
      this.rememberEarly(correlationId, value);
      return false;
    }
    this.waiters.delete(correlationId);
    for (const w of list) {
      clearTimeout(w.timer);
      w.resolve({ kind: 'reply', value });
    }
    return true;
  }

  get pending(): number {
    return this.waiters.size;
  }

  cancelAll(): void {
    for (const list of this.waiters.values())
      for (const w of list) {
        clearTimeout(w.timer);
        w.resolve({ kind: 'timeout' });
      }
    this.waiters.clear();
  }

  private remove(id: string, waiter: Waiter<T>): void {
    const list = this.waiters.get(id)?.filter((w) => w !== waiter);
    if (list && list.length) this.waiters.set(id, list);
    else this.waiters.delete(id);
  }

  private rememberEarly(id: string, value: T): void {
    const now = Date.now();
    this.early.set(id, { value, at: now });
    if (this.early.size > 10_000) {
      for (const [k, v] of this.early) {
        if (now - v.at > this.earlyReplyTtlMs || this.early.size > 10_000) this.early.delete(k);
        else break;
      }
    }
  }
}
