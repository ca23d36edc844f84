import { EventEnvelope, EventTypes, IntentProposedV1, Topics } from '@agentops/contracts';
import { BatchConsumer, ConsumedEvent } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { EscalationConfig } from '../config';
import { TaskWorkflow } from './task-workflow';

/**
 * The intents topic, read in batches: every proposal is kept (a task needs its params, the
 * decision has none), and almost none is escalated, so a fetch's proposals are kept in one
 * transaction rather than one each (a fetch holds one record when the platform is quiet, many
 * when it is busy). Its own group: the per-message subscription goes on reading the decisions and
 * anomalies. Not `batchedFetch`: a waiting agent's `pending_review` answer names the task, which
 * opens only once its proposal is kept here.
 */
@Injectable()
export class ProposedIntentsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer?: BatchConsumer;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly workflow: TaskWorkflow,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = this.messaging.createBatchConsumer({
      groupId: `${this.config.KAFKA_TOPIC_PREFIX}escalation-intents`,
      topics: [Topics.intents.name],
      fromBeginning: true,
      maxChunkSize: 500,
      partitionsConsumedConcurrently: 3,
    });
    await this.consumer.start((items) => this.onChunk(items));
  }

  private async onChunk(items: ConsumedEvent[]): Promise<void> {
    const intents = items
      .map(({ event }) => event)
      .filter((event): event is EventEnvelope<IntentProposedV1> => event.type === EventTypes.IntentProposed);
    await this.workflow.onIntents(intents);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
