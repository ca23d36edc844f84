import { EventEnvelope } from '@agentops/contracts';
import { ManualClock as FakeClock } from '@agentops/service-runtime';
import type { EventPublisher } from '@agentops/messaging';
import { CatalogEntry, CounterSlot, CounterSnapshot, CounterWrite, memberValue } from '@agentops/policy';
import {
  DecisionRepository,
  DecisionToStore,
  RecordedDecision,
  StoredDecision,
} from '../decisions/decision-repository';
import { RollingCounterStore } from '../counters/rolling-counter-store';

/**
 * Test doubles for the guardrail's decision use case: in-memory implementations of the same
 * ports as the PostgreSQL and Redis ones, a clock the test moves, and a publisher that records.
 * No I/O: the SQL and Redis themselves run on the real stack in
 * test/integration/guardrail-batch-decisions.integration-spec.ts.
 */

export { FakeClock };

/** What jsonb gives back: a fresh copy, without `undefined` members. */
const jsonb = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class InMemoryDecisionRepository extends DecisionRepository {
  readonly rows = new Map<string, { event: StoredDecision; intent: unknown }>();
  /** Round trips made, as the PostgreSQL repository would: one per call, one more on a conflict. */
  roundTrips = 0;

  async findByIntents(intentIds: string[]): Promise<Map<string, StoredDecision>> {
    this.roundTrips++;
    const found = new Map<string, StoredDecision>();
    for (const id of intentIds) {
      const row = this.rows.get(id);
      if (row) found.set(id, jsonb(row.event));
    }
    return found;
  }

  async saveFirst(decisions: DecisionToStore[]): Promise<RecordedDecision[]> {
    this.roundTrips++;
    const ids = decisions.map((d) => d.event.data.intentId);
    if (new Set(ids).size !== ids.length) throw new Error('intent ids must be distinct');
    const out: RecordedDecision[] = [];
    for (const { event, intent } of decisions) {
      const existing = this.rows.get(event.data.intentId);
      if (existing) {
        out.push({ event: jsonb(existing.event), inserted: false });
      } else {
        this.rows.set(event.data.intentId, { event: jsonb(event), intent: jsonb(intent) });
        out.push({ event, inserted: true });
      }
    }
    if (out.some((r) => !r.inserted)) this.roundTrips++;
    return out;
  }
}

/** Sorted sets in memory, with the Redis store's window rules (score = time). */
export class InMemoryRollingCounterStore extends RollingCounterStore {
  readonly sets = new Map<string, Map<string, number>>();
  snapshots = 0;
  records = 0;

  keyOf(tenantId: string, counter: string, scope: string): string {
    return `test:{${tenantId}}:${counter}:${scope}`;
  }

  async snapshot(slots: CounterSlot[], probes: CounterWrite[], now: number): Promise<CounterSnapshot> {
    this.snapshots++;
    const snapshot: CounterSnapshot = new Map();
    for (const { def, key } of slots) {
      const from = now - def.windowMs;
      const inWindow = [...(this.sets.get(key) ?? new Map<string, number>())].filter(([, s]) => s >= from);
      const members = new Set(inWindow.map(([m]) => m));
      snapshot.set(key, {
        kind: def.kind,
        total:
          def.kind === 'count' ? inWindow.length : inWindow.reduce((sum, [m]) => sum + memberValue(m), 0),
        present:
          def.kind === 'sum'
            ? members
            : new Set(probes.filter((p) => p.key === key && members.has(p.member)).map((p) => p.member)),
      });
    }
    return snapshot;
  }

  async record(writes: CounterWrite[], now: number): Promise<void> {
    if (writes.length === 0) return;
    this.records++;
    for (const w of writes) {
      const set = this.sets.get(w.key) ?? new Map<string, number>();
      set.set(w.member, now);
      for (const [m, s] of set) if (s < now - w.windowMs) set.delete(m);
      this.sets.set(w.key, set);
    }
  }
}

/** Records every send; `failNext` makes the next one reject (a broker that did not acknowledge). */
export class RecordingPublisher implements Pick<EventPublisher, 'publishMany'> {
  readonly sends: { event: EventEnvelope; key: string }[][] = [];
  failNext = false;

  async publishMany(items: { event: EventEnvelope; key: string }[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('not acknowledged');
    }
    this.sends.push(items.map((i) => ({ event: jsonb(i.event), key: i.key })));
  }

  get published(): { event: EventEnvelope; key: string }[] {
    return this.sends.flat();
  }
}

/** A catalog of one tenant, as CatalogCache.lookup serves it. */
export function catalogOf(tenantId: string, items: Omit<CatalogEntry, 'tenantId'>[]) {
  const bySku = new Map(items.map((i) => [i.sku, { ...i, tenantId }]));
  return {
    lookup: (tenant: string, sku: string) => (tenant === tenantId ? bySku.get(sku) : undefined),
  };
}
