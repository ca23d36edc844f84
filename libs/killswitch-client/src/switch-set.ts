import { CohortSelector, KillSwitchChangedV1 } from '@agentops/contracts';
import { CohortMember, selectorCovers, selectorCoversAgent } from '@agentops/cohort-selector';

/** The deny reason an enforcement point gives, naming the switch (the decision vocabulary's). */
export { killSwitchReason } from '@agentops/decisions';

/** What an enforcement point needs to know about a switch that covers an intent. */
export interface KillSwitchHit {
  switchId: string;
  reason: string;
  selector: CohortSelector;
  actor: string;
  ticket?: string;
}

export interface ActiveSwitch extends KillSwitchHit {
  changedAt: string;
  expiresAt?: string;
  passRatio?: number;
  /** Epoch ms of `expiresAt`, or Infinity. */
  expiresAtMs: number;
}

export type SwitchSetListener = (change: { kind: 'activated' | 'released'; switch: ActiveSwitch }) => void;

/**
 * The active kill switches, held in memory by every enforcement point. Changes arrive twice (Redis
 * for speed, the compacted topic for durability) and in any order, so `apply` is idempotent and
 * monotonic: a switch id is flipped once and released once, and a release is final — a late
 * "active" copy of a released switch is ignored. An expired switch stops covering at its
 * `expiresAt` on its own, before the killswitch service's release arrives.
 */
export class KillSwitchSet {
  private readonly active = new Map<string, ActiveSwitch>();
  private readonly released = new Set<string>();
  private readonly listeners = new Set<SwitchSetListener>();
  private loadedAt?: number;
  private pull?: () => void;

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Every read of the set first calls `pull`, which applies the changes another thread has left in
   * shared memory (killswitch-follower.ts): a check sees a flip as soon as that thread has it.
   */
  pullFrom(pull: (() => void) | undefined): void {
    this.pull = pull;
  }

  /** Applies one change; returns whether it changed the set. */
  apply(change: KillSwitchChangedV1): boolean {
    if (this.released.has(change.switchId)) return false;
    const entry: ActiveSwitch = {
      switchId: change.switchId,
      reason: change.reason,
      selector: change.selector,
      actor: change.actor,
      ticket: change.ticket,
      changedAt: change.changedAt,
      expiresAt: change.expiresAt,
      passRatio: change.passRatio,
      expiresAtMs: change.expiresAt ? Date.parse(change.expiresAt) : Number.POSITIVE_INFINITY,
    };
    if (change.state === 'released') {
      this.released.add(change.switchId);
      const was = this.active.get(change.switchId);
      this.active.delete(change.switchId);
      if (was)
        this.emit({ kind: 'released', switch: { ...was, actor: change.actor, reason: change.reason } });
      return was !== undefined;
    }
    if (this.active.has(change.switchId)) return false;
    this.active.set(change.switchId, entry);
    this.emit({ kind: 'activated', switch: entry });
    return true;
  }

  /**
   * The first active switch covering this agent proposing this action, or null. Hot path: no I/O.
   * A half-open switch (`passRatio`) lets that share of intents through, picked by intent id so
   * ingest and guardrail agree on each intent.
   */
  check(agent: CohortMember, action: string, intentId?: string): KillSwitchHit | null {
    this.pull?.();
    if (this.active.size === 0) return null;
    const now = this.clock();
    for (const s of this.active.values()) {
      if (s.expiresAtMs <= now || !selectorCovers(s.selector, agent, action)) continue;
      if (s.passRatio && intentId !== undefined && passes(intentId, s.passRatio)) continue;
      return hit(s);
    }
    return null;
  }

  /** Active switches whose cohort includes the agent, for any action (control-stream halts). */
  coveringAgent(agent: CohortMember): ActiveSwitch[] {
    this.pull?.();
    const now = this.clock();
    return [...this.active.values()].filter(
      (s) => s.expiresAtMs > now && selectorCoversAgent(s.selector, agent),
    );
  }

  list(): ActiveSwitch[] {
    this.pull?.();
    const now = this.clock();
    return [...this.active.values()].filter((s) => s.expiresAtMs > now);
  }

  get size(): number {
    return this.list().length;
  }

  markLoaded(): void {
    this.loadedAt ??= this.clock();
  }

  get isLoaded(): boolean {
    return this.loadedAt !== undefined;
  }

  onChange(listener: SwitchSetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: Parameters<SwitchSetListener>[0]): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener (an SSE stream, a bench probe) must never break enforcement.
      }
    }
  }
}

/** A stable fraction in [0, 1) from the id (FNV-1a), compared with the ratio. */
export function passes(intentId: string, ratio: number): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < intentId.length; i++) {
    h ^= intentId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000 < ratio;
}

function hit(s: ActiveSwitch): KillSwitchHit {
  return { switchId: s.switchId, reason: s.reason, selector: s.selector, actor: s.actor, ticket: s.ticket };
}
