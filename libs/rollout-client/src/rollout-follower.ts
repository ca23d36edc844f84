import { EventTypes, RolloutChangedV1, Topics, topicName } from '@agentops/contracts';
import { TopicTail } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { CommonEnv, LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * This instance's copy of every rollout's served state (salt, unit path, arms, weights), from the
 * compacted rollouts topic: read to its end at module init — before HTTP listens and before any
 * consumer starts (readiness `rollout-state`) — then tailed. Keeps the newest generation of each.
 * guardrail's variant gate and ingest's control stream (the SDK's `variant()`) read it.
 */
@Injectable()
export class RolloutFollower implements OnModuleInit, OnModuleDestroy {
  private readonly rollouts = new Map<string, RolloutChangedV1>();
  private readonly listeners = new Set<(r: RolloutChangedV1) => void>();
  private loaded = false;
  private tail?: TopicTail;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get isLoaded(): boolean {
    return this.loaded;
  }

  async onModuleInit(): Promise<void> {
    this.readiness.add({
      name: 'rollout-state',
      check: () => {
        if (!this.loaded) throw new Error('rollout state not loaded yet');
      },
    });
    this.tail = new TopicTail(
      this.messaging.kafka,
      {
        topic: topicName(Topics.rollouts, this.config.KAFKA_TOPIC_PREFIX),
        topicPrefix: this.config.KAFKA_TOPIC_PREFIX,
        groupId: this.messaging.consumerGroup(
          `rollout-follower-${this.config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
        ),
      },
      this.logger,
    );
    const { loaded } = await this.tail.start((event) => {
      if (event.type === EventTypes.RolloutChanged) this.apply(event.data as RolloutChangedV1);
    });
    this.loaded = true;
    this.logger.info({ records: loaded, rollouts: this.rollouts.size }, 'rollout state loaded');
  }

  async onModuleDestroy(): Promise<void> {
    await this.tail?.stop();
  }

  apply(r: RolloutChangedV1): void {
    const known = this.rollouts.get(r.rolloutId);
    if (known && known.generation > r.generation) return;
    this.rollouts.set(r.rolloutId, r);
    for (const listener of this.listeners) listener(r);
  }

  all(): Iterable<RolloutChangedV1> {
    return this.rollouts.values();
  }

  ofTenant(tenantId: string): RolloutChangedV1[] {
    return [...this.rollouts.values()].filter((r) => r.tenantId === tenantId);
  }

  /** Called with every newer state; returns the unsubscribe. */
  onChange(listener: (r: RolloutChangedV1) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
