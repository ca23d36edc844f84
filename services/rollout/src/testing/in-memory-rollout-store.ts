import { CohortSelector, EventEnvelope, RolloutChangedV1, RolloutTransitionedV1 } from '@agentops/contracts';
import { DomainError, ManualClock, PageRequest } from '@agentops/service-runtime';
import type { Logger } from 'pino';
import { CandidateHalter } from '../halts/candidate-halter';
import { RolloutAnnouncer } from '../rollouts/rollout-announcer';
import { RolloutPropagation } from '../rollouts/rollout-propagation';
import {
  PendingFact,
  ROLLOUTS_KEYSET,
  RolloutChange,
  RolloutIntentRow,
  RolloutRecord,
  RolloutStore,
  RolloutTransaction,
  UnitPathEvidence,
} from '../rollouts/rollout-store';

const copy = <T>(x: T): T => structuredClone(x);

/** The store in memory, with PostgreSQL's semantics where the use cases rely on them. */
export class InMemoryRolloutStore extends RolloutStore {
  readonly rows = new Map<string, RolloutRecord>();
  readonly transitionLog: { event: EventEnvelope<RolloutTransitionedV1>; published: boolean }[] = [];
  readonly intents: RolloutIntentRow[] = [];
  readonly counted = new Set<string>();
  readonly pending: { intentId: string; event: EventEnvelope; receivedAt: string }[] = [];
  readonly paths = new Map<string, Set<string>>();
  /** How many transactions `mutate` ran, and how many claim statements: the batch path's cost. */
  mutations = 0;
  claimCalls = 0;

  async insert(record: RolloutRecord, transition: EventEnvelope<RolloutTransitionedV1>): Promise<void> {
    const live = [...this.rows.values()].some(
      (r) =>
        r.tenantId === record.tenantId &&
        r.key === record.key &&
        (r.state.status === 'running' || r.state.status === 'paused'),
    );
    if (live) throw new DomainError('conflict', `rollout ${record.key} is already live`);
    this.rows.set(record.id, copy(record));
    this.transitionLog.push({ event: transition, published: false });
  }

  async find(id: string) {
    const r = this.rows.get(id);
    return r ? copy(r) : null;
  }

  async findByKey(tenantId: string | undefined, key: string) {
    return this.newestFirst(tenantId).find((r) => r.key === key) ?? null;
  }

  async list(tenantId: string | undefined, page: PageRequest) {
    const after = ROLLOUTS_KEYSET.after(page);
    const rows = this.newestFirst(tenantId).filter(
      (r) => !after || r.createdAt < after[0] || (r.createdAt === after[0] && r.id < after[1]),
    );
    return ROLLOUTS_KEYSET.page(rows.slice(0, page.limit + 1), page.limit, (r) => [r.createdAt, r.id]);
  }

  private newestFirst(tenantId: string | undefined): RolloutRecord[] {
    return [...this.rows.values()]
      .filter((r) => tenantId === undefined || r.tenantId === tenantId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map(copy);
  }

  async live(tenantId?: string) {
    return [...this.rows.values()]
      .filter(
        (r) =>
          (tenantId === undefined || r.tenantId === tenantId) &&
          ['running', 'paused'].includes(r.state.status),
      )
      .map(copy);
  }

  async pendingHalts() {
    return [...this.rows.values()]
      .filter((r) => r.halts.some((h) => h.killSwitchId === null && !h.skipped))
      .map(copy);
  }

  async mutate<T>(
    id: string,
    change: (current: RolloutRecord, tx: RolloutTransaction) => Promise<RolloutChange<T>>,
  ): Promise<T | null> {
    const current = this.rows.get(id);
    if (!current) return null;
    this.mutations += 1;
    const claimed: string[] = [];
    const tx: RolloutTransaction = {
      claimEvents: async (eventIds) => {
        const now = new Set<string>();
        for (const eventId of eventIds) {
          const k = `${eventId}:${id}`;
          if (this.counted.has(k)) continue;
          claimed.push(k);
          this.counted.add(k);
          now.add(eventId);
        }
        this.claimCalls += 1;
        return now;
      },
    };
    try {
      const out = await change(copy(current), tx);
      if (out.record) this.rows.set(id, copy(out.record));
      for (const t of out.transitions ?? []) this.transitionLog.push({ event: t, published: false });
      return out.result;
    } catch (error) {
      for (const k of claimed) this.counted.delete(k); // rolled back with the transaction
      throw error;
    }
  }

  async transitions(rolloutId: string) {
    return this.transitionLog.filter((t) => t.event.data.rolloutId === rolloutId).map((t) => t.event);
  }

  async unpublishedTransitions() {
    return this.transitionLog.filter((t) => !t.published).map((t) => t.event);
  }

  async markPublished(eventIds: string[]) {
    for (const t of this.transitionLog) if (eventIds.includes(t.event.id)) t.published = true;
  }

  async recordIntents(rows: RolloutIntentRow[]) {
    for (const row of rows)
      if (!this.intents.some((r) => r.intentId === row.intentId && r.rolloutId === row.rolloutId))
        this.intents.push({ ...row });
  }

  async intentRows(intentIds: string[]) {
    return this.intents.filter((r) => intentIds.includes(r.intentId)).map((r) => ({ ...r }));
  }

  async holdPendingFacts(facts: PendingFact[], receivedAt: string) {
    for (const { intentId, event } of facts)
      if (!this.pending.some((p) => p.event.id === event.id))
        this.pending.push({ intentId, event: copy(event), receivedAt });
  }

  async pendingFacts(intentIds: string[]) {
    return this.pending
      .filter((p) => intentIds.includes(p.intentId))
      .map((p) => ({ intentId: p.intentId, event: copy(p.event) }));
  }

  async dropPendingFacts(eventIds: string[]) {
    for (const p of this.pending.filter((x) => eventIds.includes(x.event.id)))
      this.pending.splice(this.pending.indexOf(p), 1);
  }

  async dropPendingFactsBefore(before: string) {
    const old = this.pending.filter((p) => p.receivedAt < before);
    for (const p of old) this.pending.splice(this.pending.indexOf(p), 1);
    return old.length;
  }

  async noteUnitPaths(tenantId: string, paths: string[]) {
    const set = this.paths.get(tenantId) ?? new Set<string>();
    for (const p of paths) set.add(p);
    this.paths.set(tenantId, set);
  }

  async unitPathEvidence(tenantId: string, path: string): Promise<UnitPathEvidence> {
    const set = this.paths.get(tenantId);
    if (!set?.size) return 'no_traffic';
    return set.has(path) ? 'seen' : 'unseen';
  }
}

/** Records what would go to Kafka. */
export class RecordingAnnouncer extends RolloutAnnouncer {
  readonly states: EventEnvelope<RolloutChangedV1>[] = [];
  readonly transitions: EventEnvelope<RolloutTransitionedV1>[] = [];

  async announce(
    state: EventEnvelope<RolloutChangedV1>,
    transitions: EventEnvelope<RolloutTransitionedV1>[],
  ) {
    this.transitions.push(...transitions);
    this.states.push(state);
  }

  async announceTransitions(transitions: EventEnvelope<RolloutTransitionedV1>[]) {
    this.transitions.push(...transitions);
  }
}

/** Records the kill switches it is asked to flip; `gate` holds a flip back, `failNext` fails one. */
export class RecordingHalter extends CandidateHalter {
  readonly flips: { selector: CohortSelector; reason: string; ticket: string; id: string }[] = [];
  /** How many flips have been asked for, including those still held by the gate. */
  asked = 0;
  gate?: Promise<void>;
  failNext = false;

  async halt(selector: CohortSelector, reason: string, ticket: string) {
    this.asked += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('killswitch answered 503');
    }
    await this.gate;
    const id = `00000000-0000-4000-8000-${String(this.flips.length + 1).padStart(12, '0')}`;
    this.flips.push({ selector, reason, ticket, id });
    return id;
  }
}

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

/** The doubles of the rollout service's ports, on one clock that moves only when told. */
export function rolloutDoubles(clock = new ManualClock('2026-12-01T10:00:00Z')) {
  const store = new InMemoryRolloutStore();
  const announcer = new RecordingAnnouncer();
  const halter = new RecordingHalter();
  const propagation = new RolloutPropagation(store, announcer, halter, silent, 'agentops/rollout', clock);
  return { store, announcer, halter, propagation, logger: silent, clock };
}
