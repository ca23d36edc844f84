import { EventTypes, IntentProposedV1, RolloutChangedV1, Topics, topicName } from '@agentops/contracts';
import { DecisionBody, rolloutVariantDenial } from '@agentops/decisions';
import { TopicTail } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { ServedRollout, checkIntentVariant } from '@agentops/rollout-analysis';
import { CommonEnv, LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * The variant gate: an intent that says it ran a rollout variant other than its unit's
 * assignment is denied (`agentops.rollout-variant`, reason `rollout_variant_mismatch`), so a
 * rolled-back candidate's in-flight intents are refused the moment its weight reaches 0 here.
 * Follows the compacted rollouts topic in memory: read to its end before intents are consumed
 * (readiness `rollout-state`), then tailed. A check is a lookup and one SHA-256; no I/O.
 */
@Injectable()
export class RolloutVariantGate implements OnModuleInit, OnModuleDestroy {
  private readonly rollouts = new Map<string, ServedRollout>();
  private loaded = false;
  private tail?: TopicTail;

  constructor(
    private readonly messaging: MessagingRuntime,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

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
          `guardrail-rollouts-${this.config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
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

  /** Keeps the newest generation of each rollout. */
  apply(r: RolloutChangedV1): void {
    const known = this.rollouts.get(r.rolloutId);
    if (!known || known.generation <= r.generation) this.rollouts.set(r.rolloutId, r);
  }

  /** The denial for a mismatched variant, or null. */
  check(intent: IntentProposedV1): DecisionBody | null {
    if (!intent.variant) return null;
    // Never decide a variant on an unknown rollout state; the consumer loop retries (transient).
    if (!this.loaded) throw new Error('rollout state not loaded yet');
    const verdict = checkIntentVariant(this.rollouts.values(), intent);
    return verdict.ok ? null : rolloutVariantDenial(verdict.reason, verdict.message);
  }
}
