import { Topics } from '@agentops/contracts';
import { BatchConsumer } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { RolloutConfig } from '../config';
import { RolloutAnalysisLoop } from './rollout-analysis-loop';

/**
 * The edge of the counting path: intents and every fact topic, read by libs/messaging's
 * BatchConsumer (one chunk of one partition's fetch at a time, partitions in parallel), each chunk
 * handed whole to RolloutAnalysisLoop. One group for all of them: counts are joined by intent id
 * in PostgreSQL, so the order across topics does not matter (a fact ahead of its intent waits for
 * it). Offsets move on only once a chunk's counts are committed; a chunk offered again after a
 * crash counts nothing twice (claims). Started when the application boots, stopped before the
 * rest shuts down, finishing the chunk in hand.
 */
@Injectable()
export class RolloutFactsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchConsumer;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly loop: RolloutAnalysisLoop,
    @Inject(SERVICE_CONFIG) private readonly config: RolloutConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.messaging.createBatchConsumer({
      // The group the per-message consumer had: its committed offsets carry over.
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}rollout`,
      topics: [
        Topics.intents.name,
        Topics.decisions.name,
        Topics.verifications.name,
        Topics.escalations.name,
        Topics.outcomes.name,
        Topics.telemetry.name,
      ],
      fromBeginning: true,
      // Analysis windows are minutes long: read in batches (libs/messaging fetch-wait).
      batchedFetch: true,
      maxChunkSize: this.config.ROLLOUT_BATCH_SIZE,
      partitionsConsumedConcurrently: this.config.ROLLOUT_PARTITIONS_CONCURRENTLY,
    });
    await this.consumer.start((items) => this.loop.countBatch(items.map((i) => i.event)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
