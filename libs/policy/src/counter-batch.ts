import type { AgentIdentity, IntentProposal } from '@agentops/contracts';
import type { CatalogFacts } from './evaluation-context';
import { COUNTER_DEFINITIONS, CounterDefinition } from './rolling-counters';

/**
 * Rolling counters for a batch of intents, evaluated one after another between two round trips to
 * the store: the store's window is read once (a `CounterSnapshot`), each intent sees that window
 * plus what the intents before it in the batch added (`CounterBatchView`), and the additions are
 * written once afterwards. Pure: the guardrail's `RollingCounterStore` does the reading and writing.
 *
 * The result equals recording each intent before reading the next, as long as nobody else writes
 * the same keys during the batch (see docs/architecture-notes.md § Guardrail decides in batches).
 */

type Intent = Pick<IntentProposal, 'action' | 'params' | 'dataUsed'>;

/** One counter an intent concerns: its definition and the store key of its scope. */
export interface CounterSlot {
  def: CounterDefinition;
  key: string;
}

/** What the store held for one key inside the window at the batch's instant. */
export interface CounterWindow {
  kind: 'count' | 'sum';
  /** count: members in the window; sum: the sum of their values. */
  total: number;
  /**
   * Stored members known to be in the window: for a sum, all of them; for a count, those of the
   * batch's probed members (`probeMembers`) the store has (a distinct count must not count twice).
   */
  present: Set<string>;
}

export type CounterSnapshot = Map<string, CounterWindow>;

/** A contribution as it is stored: the member string and the score's window. */
export interface CounterWrite {
  key: string;
  kind: 'count' | 'sum';
  member: string;
  windowMs: number;
}

/** Every counter of `defs` the intent concerns, keyed by `keyOf(def, scope)`. */
export function counterSlots(
  agent: AgentIdentity,
  intent: Pick<IntentProposal, 'action' | 'params'>,
  item: CatalogFacts,
  keyOf: (def: CounterDefinition, scope: string) => string,
  defs: readonly CounterDefinition[] = COUNTER_DEFINITIONS,
): CounterSlot[] {
  const out: CounterSlot[] = [];
  for (const def of defs) {
    const scope = def.scope(agent, intent, item);
    if (scope) out.push({ def, key: keyOf(def, scope) });
  }
  return out;
}

/** The member a contribution is stored as (a sum keeps its value in the member). */
export function storedMember(def: CounterDefinition, c: { member: string; value: number }): string {
  return def.kind === 'sum' ? `${c.member}|${c.value}` : c.member;
}

/** The value of a stored sum member. */
export function memberValue(member: string): number {
  return Number(member.slice(member.lastIndexOf('|') + 1));
}

/**
 * The members of the count slots an intent would add if allowed as proposed: the batch asks the
 * store whether they are already in the window (a distinct-SKU count must not count a SKU twice).
 * Members made unique per contribution (a time and a random part) are never in the store; probing
 * them costs a few bytes and is harmless.
 */
export function probeMembers(slots: CounterSlot[], intent: Intent, item: CatalogFacts): CounterWrite[] {
  const out: CounterWrite[] = [];
  for (const { def, key } of slots) {
    if (def.kind !== 'count') continue;
    const c = def.contribution(intent, item);
    if (c) out.push({ key, kind: def.kind, member: storedMember(def, c), windowMs: def.windowMs });
  }
  return out;
}

/**
 * The writes an intent's decision makes: every contribution if it was allowed, only the data
 * access ones (`countsOnProposal`) otherwise. `intent` carries the params that take effect.
 */
export function counterWrites(
  slots: CounterSlot[],
  intent: Intent,
  item: CatalogFacts,
  allowed: boolean,
): CounterWrite[] {
  const out: CounterWrite[] = [];
  for (const { def, key } of slots) {
    if (!allowed && !def.countsOnProposal) continue;
    const c = def.contribution(intent, item);
    if (c) out.push({ key, kind: def.kind, member: storedMember(def, c), windowMs: def.windowMs });
  }
  return out;
}

/**
 * The counters as each intent of a batch sees them: the snapshot, plus what earlier intents of the
 * batch added. A member already in the window adds nothing (a sorted set holds it once), whether
 * it was there before the batch or added by an earlier intent.
 */
export class CounterBatchView {
  private readonly windows = new Map<string, CounterWindow>();

  constructor(snapshot: CounterSnapshot) {
    for (const [key, w] of snapshot) {
      this.windows.set(key, { kind: w.kind, total: w.total, present: new Set(w.present) });
    }
  }

  /** `counters.<name>` for these slots, whose keys the snapshot must have read. */
  valuesFor(slots: CounterSlot[]): Record<string, number> {
    const counters: Record<string, number> = {};
    for (const { def, key } of slots) counters[def.name] = this.window(key).total;
    return counters;
  }

  /** Adds an intent's writes, so the next intent of the batch sees them. */
  add(writes: CounterWrite[]): void {
    for (const w of writes) {
      const window = this.window(w.key);
      if (window.present.has(w.member)) continue;
      window.present.add(w.member);
      window.total += w.kind === 'count' ? 1 : memberValue(w.member);
    }
  }

  private window(key: string): CounterWindow {
    const window = this.windows.get(key);
    // Without the stored window the batch would see only its own additions: never guess.
    if (!window) throw new Error(`counter key ${key} was not read for this batch`);
    return window;
  }
}
