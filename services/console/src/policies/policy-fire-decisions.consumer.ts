import { EventEnvelope, EventTypes, IntentDecidedV1, Topics } from '@agentops/contracts';
import { BatchConsumer, ConsumedEvent } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ConsoleConfig } from '../config';
import { PolicyFireCounter } from './policy-fire-counter';

/**
 * The decisions topic for the policy fire counts: one shared group, durable and exactly once per
 * decision, read in batches (batched fetch: counts nobody waits on may lag half a second) and each
 * chunk counted in one statement — one per decision was most of the console's share of the
 * decision path's CPU.
 */
@Injectable()
export class PolicyFireDecisionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchConsumer;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly counter: PolicyFireCounter,
    @Inject(SERVICE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.messaging.createBatchConsumer({
      // The group the per-message subscription had: its committed offsets carry over.
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}console-policy-fires`,
      topics: [Topics.decisions.name],
      fromBeginning: true,
      maxChunkSize: 500,
      batchedFetch: true,
      partitionsConsumedConcurrently: 3,
    });
    await this.consumer.start((items) => this.onChunk(items));
  }

  private async onChunk(items: ConsumedEvent[]): Promise<void> {
    const decisions = items
      .map(({ event }) => event)
      .filter((event): event is EventEnvelope<IntentDecidedV1> => event.type === EventTypes.IntentDecided);
    await this.counter.count(decisions);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
