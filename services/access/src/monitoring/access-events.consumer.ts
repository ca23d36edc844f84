import { Topics } from '@agentops/contracts';
import { BatchConsumer } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AccessConfig } from '../config';
import { AccessObservation } from './access-observation';

/**
 * The edge of the monitoring path: intents and telemetry, read by libs/messaging's BatchConsumer
 * (one chunk of one partition's fetch at a time), each chunk handed whole to AccessObservation.
 * Both topics are keyed by agent id, so one instance owns all of an agent's events; each agent's
 * row remembers the offsets it has applied, so a redelivered chunk counts nothing twice. Offsets
 * move on only once a chunk's rows are committed; malformed or untrusted events are dead-lettered
 * by the consumer and never reach here. Started when the application boots (cohort baselines are
 * loaded by then), stopped before the rest shuts down, finishing the chunk in hand.
 */
@Injectable()
export class AccessEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchConsumer;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly observation: AccessObservation,
    @Inject(SERVICE_CONFIG) private readonly config: AccessConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.messaging.createBatchConsumer({
      // The group the per-message consumer had: its committed offsets carry over.
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}access`,
      topics: [Topics.intents.name, Topics.telemetry.name],
      fromBeginning: true,
      // Not `batchedFetch`: a high-severity anomaly must quarantine its agent within 1 s of the
      // event (issue #17), and a batched fetch may hold a record for FETCH_MAX_WAIT_MS.
      maxChunkSize: this.config.ACCESS_BATCH_SIZE,
      // Every partition of both topics at once (by default): AccessObservation judges the chunks
      // of one fetch together, an agent's reads and intents merged by event time.
      partitionsConsumedConcurrently: this.config.ACCESS_PARTITIONS_CONCURRENTLY,
    });
    await this.consumer.start((items) => this.observation.observe(items));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
