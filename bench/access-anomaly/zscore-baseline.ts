/**
 * The comparison detector, in the style of Microsoft Agent Governance Toolkit's
 * `RogueAgentDetector` frequency check: tool calls per agent in 60 s windows; once an agent has
 * 5 windows of history, a window whose count is ≥ 2.5 standard deviations above the mean of its
 * earlier windows is flagged. No data volume, customers, classes or flows; in memory. Windows
 * with no call are never recorded (the detector is driven by calls). Our own re-implementation
 * from its description; alerts are deduplicated with the same cooldown as ours so both count alike.
 */
export class ZScoreBaseline {
  private readonly state = new Map<
    number,
    { window: number; count: number; n: number; mean: number; m2: number; last?: number }
  >();

  constructor(
    private readonly windowMs = 60_000,
    private readonly threshold = 2.5,
    private readonly minWindows = 5,
    private readonly cooldownMs = 15 * 60_000,
  ) {}

  /** One tool call (a read, an intent, an egress); returns the time of an alert, if one fires. */
  call(agent: number, t: number): number | undefined {
    const w = Math.floor(t / this.windowMs);
    let s = this.state.get(agent);
    if (!s) {
      s = { window: w, count: 0, n: 0, mean: 0, m2: 0 };
      this.state.set(agent, s);
    }
    let alert: number | undefined;
    if (w !== s.window) alert = this.close(s, t);
    s.window = w;
    s.count++;
    return alert;
  }

  /** Closes windows that ended (the agent fell silent); returns the agents that alerted. */
  tick(t: number): number[] {
    const w = Math.floor(t / this.windowMs);
    const out: number[] = [];
    for (const [agent, s] of this.state) {
      if (s.window < w && s.count > 0) {
        if (this.close(s, t) !== undefined) out.push(agent);
        s.window = w;
      }
    }
    return out;
  }

  private close(
    s: { count: number; n: number; mean: number; m2: number; last?: number },
    t: number,
  ): number | undefined {
    let alert: number | undefined;
    if (s.count > 0) {
      if (s.n >= this.minWindows) {
        const sd = Math.sqrt(s.m2 / (s.n - 1));
        const z = sd > 0 ? (s.count - s.mean) / sd : s.count > s.mean ? Infinity : 0;
        if (z >= this.threshold && (s.last === undefined || t - s.last >= this.cooldownMs)) {
          s.last = t;
          alert = t;
        }
      }
      s.n++;
      const d = s.count - s.mean;
      s.mean += d / s.n;
      s.m2 += d * (s.count - s.mean);
    }
    s.count = 0;
    return alert;
  }
}
