/**
 * The fault a TCP proxy puts between the services and Kafka, and what it does to the bytes, without
 * sockets: each direction of a connection is a queue of chunks released in order at their due time.
 */
export type ProxyFault =
  | { kind: 'none' }
  /** Every chunk waits `ms` before it goes on, in both directions. */
  | { kind: 'latency'; ms: number }
  /**
   * Nothing goes through, nothing is refused: bytes are held as a network that drops packets would
   * have TCP retransmit them, and delivered once the partition heals (unless the peer gave up and
   * closed the connection, as a client's request timeout does).
   */
  | { kind: 'partition' };

export function describeFault(fault: ProxyFault): string {
  return fault.kind === 'latency' ? `latency ${fault.ms} ms` : fault.kind;
}

/** One direction of one proxied connection. */
export class HeldChunks<T> {
  private readonly queue: { chunk: T; dueAt: number | null }[] = [];

  constructor(private fault: ProxyFault = { kind: 'none' }) {}

  /** A chunk arrived at `now`. */
  push(chunk: T, now: number): void {
    this.queue.push({ chunk, dueAt: this.dueAt(now) });
  }

  /** The fault changed at `now`: held chunks get a due time by the new fault. */
  setFault(fault: ProxyFault, now: number): void {
    this.fault = fault;
    for (const item of this.queue) if (item.dueAt === null) item.dueAt = this.dueAt(now);
  }

  /** The chunks to forward at `now`, in arrival order (a chunk not yet due holds back those after it). */
  take(now: number): T[] {
    const out: T[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.dueAt === null || head.dueAt > now) break;
      out.push(head.chunk);
      this.queue.shift();
    }
    return out;
  }

  /** When the next chunk falls due; `null` if none is queued or the head is held by a partition. */
  nextDueAt(): number | null {
    return this.queue[0]?.dueAt ?? null;
  }

  get size(): number {
    return this.queue.length;
  }

  private dueAt(now: number): number | null {
    switch (this.fault.kind) {
      case 'partition':
        return null;
      case 'latency':
        return now + this.fault.ms;
      default:
        return now;
    }
  }
}
