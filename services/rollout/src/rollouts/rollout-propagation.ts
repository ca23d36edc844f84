import { EventEnvelope, RolloutTransitionedV1 } from '@agentops/contracts';
import { Clock, EVENT_SOURCE, LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { CandidateHalter } from '../halts/candidate-halter';
import { RolloutAnnouncer } from './rollout-announcer';
import { rolloutChangedEvent, rolloutTransitionEvent } from './rollout-events';
import { planOf } from './rollout-plans';
import { RolloutRecord, RolloutStore } from './rollout-store';
import { haltSelector } from './rollout-transitions';

/**
 * What follows a durable change: the state on the compacted topic, the transitions on theirs
 * (then marked sent), and a kill switch for each rolled-back candidate not yet halted. Each step
 * can be redone: at start and on every tick, unsent transitions are sent and missing halts
 * flipped, so a crash between commit and fan-out delays them but never loses them.
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
    await this.announcer.announce(rolloutChangedEvent(this.source, record, planOf(record)), transitions);
    await this.store.markPublished(transitions.map((t) => t.id));
    if (record.halts.some((h) => h.killSwitchId === null && !h.skipped)) await this.flipHalts(record.id);
  }

  /** Flips the kill switch of every rolled-back candidate of this rollout that has none yet. */
  async flipHalts(rolloutId: string): Promise<void> {
    const record = await this.store.find(rolloutId);
    if (!record) return;
    const plan = planOf(record);
    for (const halt of record.halts.filter((h) => h.killSwitchId === null && !h.skipped)) {
      const switchId = await this.halter.halt(
        haltSelector(plan, halt.variant),
        `rollout ${record.key}: ${halt.variant} rolled back`,
        `rollout:${record.key}`,
      );
      const flipped = await this.store.mutate(rolloutId, async (current) => {
        const halts = current.halts.map((h) =>
          h.variant === halt.variant && h.killSwitchId === null ? { ...h, killSwitchId: switchId } : h,
        );
        const next = { ...current, halts, updatedAt: this.clock.now().toISOString() };
        return { record: next, result: next };
      });
      this.logger.warn(
        { rolloutId, key: record.key, variant: halt.variant, switchId },
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
