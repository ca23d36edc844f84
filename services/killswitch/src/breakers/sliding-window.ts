/**
 * One cohort's observations over a sliding time window. Pure: the caller passes the clock.
 * `value(metric)` is the breaker's measure — a count, a sum, a number of distinct keys or a rate.
 */
export interface Observation {
  at: number;
  /** 1 for a hit (a deny, a violation, an error), 0 for a miss; or an amount (discount, records). */
  value: number;
  /** For distinct counts (e.g. the SKU). */
  key?: string;
}

export class SlidingWindow {
  private items: Observation[] = [];

  constructor(private readonly windowMs: number) {}

  add(o: Observation): void {
    this.items.push(o);
  }

  private prune(now: number): void {
    const from = now - this.windowMs;
    let i = 0;
    while (i < this.items.length && this.items[i].at <= from) i++;
    if (i) this.items = this.items.slice(i);
  }

  sum(now: number): number {
    this.prune(now);
    return this.items.reduce((s, o) => s + o.value, 0);
  }

  count(now: number): number {
    this.prune(now);
    return this.items.length;
  }

  distinct(now: number): number {
    this.prune(now);
    return new Set(this.items.filter((o) => o.value > 0 && o.key !== undefined).map((o) => o.key)).size;
  }

  /** hits / samples, or null below `minSamples`. */
  rate(now: number, minSamples: number): number | null {
    const n = this.count(now);
    return n < minSamples ? null : this.sum(now) / n;
  }

  clear(): void {
    this.items = [];
  }
}
