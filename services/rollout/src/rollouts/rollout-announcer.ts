import { EventEnvelope, RolloutChangedV1, RolloutTransitionedV1 } from '@agentops/contracts';
import { EventPublisher } from '@agentops/messaging';
import { Injectable } from '@nestjs/common';

/** Where a rollout's state and transitions go once they are durable (a port: Kafka in the service). */
export abstract class RolloutAnnouncer {
  abstract announce(
    state: EventEnvelope<RolloutChangedV1>,
    transitions: EventEnvelope<RolloutTransitionedV1>[],
  ): Promise<void>;
  abstract announceTransitions(transitions: EventEnvelope<RolloutTransitionedV1>[]): Promise<void>;
}

/**
 * The compacted rollouts topic (keyed by rollout id: the newest state of each survives) and the
 * transitions topic (keyed by rollout id: one rollout's transitions stay in order). Both awaited
 * with the broker's ack (`acks=all`, idempotent producer).
 */
@Injectable()
export class KafkaRolloutAnnouncer extends RolloutAnnouncer {
  constructor(private readonly publisher: EventPublisher) {
    super();
  }

  async announce(
    state: EventEnvelope<RolloutChangedV1>,
    transitions: EventEnvelope<RolloutTransitionedV1>[],
  ): Promise<void> {
    await this.announceTransitions(transitions);
    await this.publisher.publish(state, state.data.rolloutId);
  }

  async announceTransitions(transitions: EventEnvelope<RolloutTransitionedV1>[]): Promise<void> {
    for (const t of transitions) await this.publisher.publish(t, t.data.rolloutId);
  }
}
