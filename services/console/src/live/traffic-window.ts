/**
 * Live traffic for the overview: intents and verdicts per tenant and agent role in one-second
 * buckets over the last few minutes. Pure and in memory (each console instance sees all traffic
 * through its own consumer group); a restart starts the picture afresh, like a dashboard would.
 */
export const VERDICTS = ['allow', 'deny', 'escalate', 'modify'] as const;
export type VerdictName = (typeof VERDICTS)[number];
export type VerdictMix = Record<VerdictName, number>;

interface Counts {
  intents: number;
  verdicts: VerdictMix;
}

export interface RoleTraffic extends Counts {
  role: string;
  intentsPerSecond: number;
}

export interface TrafficSnapshot {
  windowSeconds: number;
  totals: Counts & { intentsPerSecond: number };
  byRole: RoleTraffic[];
  /** Intents in each second of the window, oldest first. */
  perSecond: number[];
}

const emptyCounts = (): Counts => ({ intents: 0, verdicts: { allow: 0, deny: 0, escalate: 0, modify: 0 } });
const UNKNOWN_ROLE = 'unknown';

export class TrafficWindow {
  /** second → tenant → role → counts */
  private readonly buckets = new Map<number, Map<string, Map<string, Counts>>>();
  /** Decisions name the agent, not its role: remember roles from the intents. */
  private readonly roles = new Map<string, string>();

  constructor(readonly retainSeconds = 300) {}

  recordIntent(tenantId: string, agentId: string, role: string, atMs: number, nowMs: number): void {
    this.roles.set(agentId, role);
    const c = this.counts(tenantId, role, atMs, nowMs);
    if (c) c.intents += 1;
  }

  recordDecision(tenantId: string, agentId: string, verdict: VerdictName, atMs: number, nowMs: number): void {
    const c = this.counts(tenantId, this.roles.get(agentId) ?? UNKNOWN_ROLE, atMs, nowMs);
    if (c) c.verdicts[verdict] += 1;
  }

  /** The last `windowSeconds` (complete seconds up to now) for one tenant, or all when undefined. */
  snapshot(tenantId: string | undefined, windowSeconds: number, nowMs: number): TrafficSnapshot {
    const window = Math.max(1, Math.min(windowSeconds, this.retainSeconds));
    const nowSecond = Math.floor(nowMs / 1000);
    const perSecond: number[] = [];
    const totals = emptyCounts();
    const byRole = new Map<string, Counts>();
    for (let s = nowSecond - window + 1; s <= nowSecond; s++) {
      let inSecond = 0;
      for (const [tenant, roles] of this.buckets.get(s) ?? []) {
        if (tenantId !== undefined && tenant !== tenantId) continue;
        for (const [role, c] of roles) {
          const r = byRole.get(role) ?? emptyCounts();
          byRole.set(role, r);
          add(r, c);
          add(totals, c);
          inSecond += c.intents;
        }
      }
      perSecond.push(inSecond);
    }
    const rate = (n: number) => Math.round((n / window) * 100) / 100;
    return {
      windowSeconds: window,
      totals: { ...totals, intentsPerSecond: rate(totals.intents) },
      byRole: [...byRole]
        .map(([role, c]) => ({ role, ...c, intentsPerSecond: rate(c.intents) }))
        .sort((a, b) => b.intents - a.intents || a.role.localeCompare(b.role)),
      perSecond,
    };
  }

  private prunedAt = 0;

  /** Drops buckets older than the retention, once per second of clock, so memory stays bounded. */
  private prune(nowSecond: number): void {
    if (nowSecond === this.prunedAt) return;
    this.prunedAt = nowSecond;
    for (const s of this.buckets.keys()) if (s <= nowSecond - this.retainSeconds) this.buckets.delete(s);
    if (this.roles.size > 100_000) this.roles.clear();
  }

  private counts(tenantId: string, role: string, atMs: number, nowMs: number): Counts | undefined {
    const nowSecond = Math.floor(nowMs / 1000);
    // Event time, clamped to now: a producer's clock a little ahead still lands in the current second.
    const second = Math.min(Math.floor(atMs / 1000), nowSecond);
    if (second <= nowSecond - this.retainSeconds) return undefined; // too old to be live
    this.prune(nowSecond);
    let tenants = this.buckets.get(second);
    if (!tenants) this.buckets.set(second, (tenants = new Map()));
    let roles = tenants.get(tenantId);
    if (!roles) tenants.set(tenantId, (roles = new Map()));
    let c = roles.get(role);
    if (!c) roles.set(role, (c = emptyCounts()));
    return c;
  }
}

function add(into: Counts, c: Counts): void {
  into.intents += c.intents;
  for (const v of VERDICTS) into.verdicts[v] += c.verdicts[v];
}
