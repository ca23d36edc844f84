import { EventTypes, KnowledgeVersionActivatedV1, Topics, topicName } from '@agentops/contracts';
import { TopicTail } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { CommonEnv, LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { ActiveKnowledge } from './active-knowledge';

/**
 * Keeps this instance's ActiveKnowledge current from the compacted `agentops.knowledge.v1`: at
 * module init (before HTTP listens and before any consumer runs) it reads the topic to its high
 * watermark, then keeps following it, so a version accepted by any guardrail instance is served
 * here as soon as the record arrives (the tail polls every 20 ms). Readiness `knowledge-state`.
 */
@Injectable()
export class KnowledgeFollower implements OnModuleInit, OnModuleDestroy {
  private tail?: TopicTail;

  constructor(
    readonly knowledge: ActiveKnowledge,
    private readonly messaging: MessagingRuntime,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.readiness.add({
      name: 'knowledge-state',
      check: () => {
        if (!this.knowledge.isLoaded) throw new Error('knowledge versions not loaded yet');
      },
    });
    const started = performance.now();
    this.tail = new TopicTail(
      this.messaging.kafka,
      {
        topic: topicName(Topics.knowledge, this.config.KAFKA_TOPIC_PREFIX),
        topicPrefix: this.config.KAFKA_TOPIC_PREFIX,
        groupId: this.messaging.consumerGroup(
          `knowledge-follower-${this.config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
        ),
      },
      this.logger,
    );
    const { loaded } = await this.tail.start((event) => {
      if (event.type !== EventTypes.KnowledgeVersionActivated) return;
      const data = event.data as KnowledgeVersionActivatedV1;
      const result = this.knowledge.activate(data);
      if (!result.applied && result.why === 'invalid-document')
        this.logger.warn(
          { tenantId: data.tenantId, kbVersion: data.kbVersion, problems: result.detail },
          'ignoring a knowledge version whose document this instance cannot read',
        );
      else if (result.applied)
        this.logger.info({ tenantId: data.tenantId, kbVersion: data.kbVersion }, 'knowledge version active');
    });
    this.knowledge.markLoaded();
    this.logger.info(
      {
        records: loaded,
        tenants: this.knowledge.tenants().length,
        ms: Math.round(performance.now() - started),
      },
      'knowledge versions loaded',
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.tail?.stop();
  }
}
