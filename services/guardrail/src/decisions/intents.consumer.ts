import { EventEnvelope, EventTypes, IntentProposedV1, Topics } from '@agentops/contracts';
import { BatchConsumer, ConsumedEvent } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { GuardrailConfig } from '../config';
import { IntentEvaluation } from './intent-evaluation';

/**
 * The edge of the decision path: the intents topic, read by libs/messaging's BatchConsumer (one
 * chunk of one partition's fetch at a time, partitions in parallel), handed whole to
 * IntentEvaluation. The consumer resolves a chunk's offsets only once its decisions are stored and
 * published; malformed or untrusted intents are dead-lettered by the consumer and never reach here.
 * Started when the application boots (the kill-switch set is loaded by then), so `startService`
 * returns with the group joined; stopped before the rest shuts down, finishing the chunk in hand.
 */
@Injectable()
export class IntentsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchConsumer;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly evaluation: IntentEvaluation,
    @Inject(SERVICE_CONFIG) private readonly config: GuardrailConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.messaging.createBatchConsumer({
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}guardrail`,
      topics: [Topics.intents.name],
      // A new deployment must decide intents proposed while it was down, not skip them.
      fromBeginning: true,
      maxChunkSize: this.config.INTENT_BATCH_SIZE,
      // Partitions are decided in parallel; order within an agent's partition is kept.
      partitionsConsumedConcurrently: 6,
    });
    await this.consumer.start((items) => this.onChunk(items));
  }

  private async onChunk(items: ConsumedEvent[]): Promise<void> {
    // The intents topic carries one type; anything else is not this consumer's to decide.
    const intents = items
      .map(({ event }) => event)
      .filter((event): event is EventEnvelope<IntentProposedV1> => event.type === EventTypes.IntentProposed);
    if (intents.length) await this.evaluation.evaluateBatch(intents);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
