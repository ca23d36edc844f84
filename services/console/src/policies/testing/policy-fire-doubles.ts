import { Page, PageRequest } from '@agentops/service-runtime';
import {
  DecisionFires,
  POLICY_FIRES_KEYSET,
  PolicyFire,
  PolicyFireRepository,
  firePosition,
  firstOfEachEvent,
} from '../policy-fire-repository';

/** Policy fire counts in memory, behind the same port as the PostgreSQL repository (same rules). */
export class InMemoryPolicyFireRepository extends PolicyFireRepository {
  /** Counted event ids, with when they were counted (by the test's clock, given to `countedAt`). */
  readonly counted = new Map<string, Date>();
  readonly rows = new Map<string, PolicyFire & { tenantId: string }>();
  /** Every cut-off asked for by a prune. */
  readonly forgotBefore: Date[] = [];

  constructor(private readonly countedAt: () => Date = () => new Date(0)) {
    super();
  }

  async record(decisions: DecisionFires[]): Promise<void> {
    for (const { eventId, tenantId, fired, firedAt } of firstOfEachEvent(decisions)) {
      if (this.counted.has(eventId)) continue;
      this.counted.set(eventId, this.countedAt());
      for (const f of fired) {
        const key = [tenantId, f.policyId, f.policyVersion, f.mode, f.effect].join('\u0000');
        const row = this.rows.get(key);
        if (!row) this.rows.set(key, { tenantId, ...f, count: 1, lastFiredAt: firedAt });
        else {
          row.count++;
          if (firedAt > row.lastFiredAt) row.lastFiredAt = firedAt;
        }
      }
    }
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<PolicyFire>> {
    const sums = new Map<string, PolicyFire>();
    for (const { tenantId: t, ...r } of this.rows.values()) {
      if (tenantId !== undefined && t !== tenantId) continue;
      const key = [r.policyId, r.policyVersion, r.mode, r.effect].join('\u0000');
      const sum = sums.get(key);
      if (!sum) sums.set(key, { ...r });
      else {
        sum.count += r.count;
        if (r.lastFiredAt > sum.lastFiredAt) sum.lastFiredAt = r.lastFiredAt;
      }
    }
    const key = (f: PolicyFire) => firePosition(f).join('\u0000');
    const after = POLICY_FIRES_KEYSET.after(page);
    const sorted = [...sums.values()]
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
      .filter((f) => after === undefined || key(f) > after.join('\u0000'));
    return POLICY_FIRES_KEYSET.page(sorted.slice(0, page.limit + 1), page.limit, firePosition);
  }

  async forgetCountedBefore(before: Date): Promise<void> {
    this.forgotBefore.push(before);
    for (const [id, at] of this.counted) if (at < before) this.counted.delete(id);
  }
}
