import { EventEnvelope, RolloutTransitionedV1 } from '@agentops/contracts';
import { newEventId } from '@agentops/messaging';
import { Clock, EVENT_SOURCE, LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CandidateHalter } from '../halts/candidate-halter';
import { RolloutAnnouncer } from './rollout-announcer';
import { rolloutChangedEvent, rolloutTransitionEvent } from './rollout-events';
import { planOf } from './rollout-plans';
import { CandidateHalt, RolloutRecord, RolloutStore } from './rollout-store';
import { HALT_FLIP_LEASE_MS, haltSelector } from './rollout-transitions';

/**
 * What follows a durable change: a kill switch for each candidate it rolled back, the state on
 * the compacted topic, the transitions on theirs (then marked sent). The switch does not wait for
 * the announcements (nor they for it): it is what refuses the candidate's in-flight intents at
 * every enforcement point, so it goes out first. Each step can be redone: at start and on every
 * tick, unsent transitions are sent and missing halts flipped, so a crash between commit and
 * fan-out delays them but never loses them.
 */
@Injectable()
export class RolloutPropagation {
  constructor(
    private readonly store: RolloutStore,
    private readonly announcer: RolloutAnnouncer,
    private readonly halter: CandidateHalter,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_SOURCE) private readonly source: string,
    private readonly clock: Clock,
  ) {}

  async propagate(record: RolloutRecord, transitions: EventEnvelope<RolloutTransitionedV1>[]): Promise<void> {
    // The halts this change created hold their lease already (haltLeaseOf): no lease round trip.
    const holder = `generation:${record.generation}`;
    const leased = record.halts.filter((h) => unflipped(h) && h.flippingBy === holder).map((h) => h.variant);
    const halting = leased.length ? this.flip(record, leased) : Promise.resolve();
    const announcing = (async () => {
      await this.announcer.announce(rolloutChangedEvent(this.source, record, planOf(record)), transitions);
      await this.store.markPublished(transitions.map((t) => t.id));
    })();
    const failed = (await Promise.allSettled([halting, announcing])).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /**
   * Flips the kill switch of every rolled-back candidate of this rollout that has none yet and
   * whose flip nobody holds: each is leased under the row lock first, so the rolling-back change's
   * own propagation and a catch-up (here or on another instance) never both flip it.
   */
  async flipHalts(rolloutId: string): Promise<void> {
    const holder = `catch-up:${newEventId()}`;
    const leased = await this.store.mutate(rolloutId, async (current) => {
      const now = this.clock.now().getTime();
      const due = current.halts.filter(
        (h) => unflipped(h) && !(h.flippingUntil && Date.parse(h.flippingUntil) > now),
      );
      if (!due.length) return { result: null };
      const lease = { flippingBy: holder, flippingUntil: new Date(now + HALT_FLIP_LEASE_MS).toISOString() };
      const halts = current.halts.map((h) => (due.includes(h) ? { ...h, ...lease } : h));
      return {
        record: { ...current, halts },
        result: { record: current, variants: due.map((h) => h.variant) },
      };
    });
    if (leased) await this.flip(leased.record, leased.variants);
  }

  /** Flips the leased halts of these candidates, one switch each, and records the switches. */
  private async flip(record: RolloutRecord, variants: string[]): Promise<void> {
    const plan = planOf(record);
    for (const variant of variants) {
      let switchId: string;
      try {
        switchId = await this.halter.halt(
          haltSelector(plan, variant),
          `rollout ${record.key}: ${variant} rolled back`,
          `rollout:${record.key}`,
        );
      } catch (error) {
        // Hand the lease back: the next tick retries now, not once it lapses.
        await this.store.mutate(record.id, async (current) => ({
          record: {
            ...current,
            halts: current.halts.map((h) =>
              h.variant === variant && h.killSwitchId === null
                ? { variant: h.variant, killSwitchId: null }
                : h,
            ),
          },
          result: null,
        }));
        throw error;
      }
      const flipped = await this.store.mutate(record.id, async (current) => {
        const halts = current.halts.map((h) =>
          h.variant === variant && h.killSwitchId === null
            ? { variant: h.variant, killSwitchId: switchId }
            : h,
        );
        const next = { ...current, halts, updatedAt: this.clock.now().toISOString() };
        return { record: next, result: next };
      });
      this.logger.warn(
        { rolloutId: record.id, key: record.key, variant, switchId },
        'rolled-back candidate halted by kill switch',
      );
      if (flipped) await this.announcer.announce(rolloutChangedEvent(this.source, flipped, plan), []);
    }
  }

  /** Sends what a crash left unsent and flips missing halts; at start, republishes every live state. */
  async catchUp(republishLive: boolean): Promise<void> {
    const unsent = await this.store.unpublishedTransitions();
    if (unsent.length) {
      await this.announcer.announceTransitions(unsent);
      await this.store.markPublished(unsent.map((t) => t.id));
    }
    for (const record of await this.store.pendingHalts()) await this.flipHalts(record.id);
    if (republishLive)
      for (const record of await this.store.live())
        await this.announcer.announce(rolloutChangedEvent(this.source, record, planOf(record)), []);
  }

  transitionEvent(record: RolloutRecord, details: Parameters<typeof rolloutTransitionEvent>[2]) {
    return rolloutTransitionEvent(this.source, record, details);
  }
}

/** A halt that wants a switch: none flipped yet, and not skipped. */
function unflipped(h: CandidateHalt): boolean {
  return h.killSwitchId === null && !h.skipped;
}
