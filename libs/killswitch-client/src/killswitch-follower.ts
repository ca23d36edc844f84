import { CommonEnv, LOGGER, REDIS, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { EventTypes, KillSwitchChangedV1, Topics, topicName } from '@agentops/contracts';
import { TopicTail } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { Redis } from '@agentops/persistence';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { KillSwitchApplied, killSwitchAppliedChannel, killSwitchChannel } from './channel';
import { KillSwitchSet } from './switch-set';

/**
 * Keeps this instance's KillSwitchSet current. At module init — before HTTP listens and before any
 * consumer starts — it subscribes to the Redis channel, then reads the compacted topic to its high
 * watermark; only then is the set marked loaded (readiness check `killswitch-state`). Afterwards
 * Redis delivers flips within a millisecond or so, and the topic tail repairs anything Redis lost
 * (pub/sub is at-most-once).
 */
@Injectable()
export class KillSwitchFollower implements OnModuleInit, OnModuleDestroy {
  private subscriber?: Redis;
  private tail?: TopicTail;
  private stopAcknowledging?: () => void;

  constructor(
    readonly set: KillSwitchSet,
    private readonly messaging: MessagingRuntime,
    private readonly readiness: ReadinessRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.readiness.add({
      name: 'killswitch-state',
      check: () => {
        if (!this.set.isLoaded) throw new Error('kill-switch set not loaded yet');
      },
    });
    const started = performance.now();
    const channel = killSwitchChannel(this.config);
    const subscriber = this.redis.duplicate({ connectionName: `${this.config.INSTANCE_ID}-killswitch-sub` });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.applyRaw(raw));
    await subscriber.subscribe(channel);

    this.tail = new TopicTail(
      this.messaging.kafka,
      {
        topic: topicName(Topics.killswitch, this.config.KAFKA_TOPIC_PREFIX),
        topicPrefix: this.config.KAFKA_TOPIC_PREFIX,
        groupId: this.messaging.consumerGroup(
          `killswitch-follower-${this.config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
        ),
      },
      this.logger,
    );
    const { loaded } = await this.tail.start((event) => {
      if (event.type === EventTypes.KillSwitchChanged) this.set.apply(event.data as KillSwitchChangedV1);
    });
    this.set.markLoaded();
    // From here on, not for the switches loaded at start: those were confirmed when they changed.
    this.acknowledgeChanges();
    this.logger.info(
      { records: loaded, active: this.set.size, ms: Math.round(performance.now() - started) },
      'kill-switch set loaded',
    );
  }

  /**
   * Says on Redis when this instance's set changed. Published on the shared connection, not the
   * subscriber (a subscribed connection can only listen), after the set has changed and without
   * being awaited: enforcement never waits on it, and a lost acknowledgement costs nothing.
   */
  private acknowledgeChanges(): void {
    const channel = killSwitchAppliedChannel(this.config);
    this.stopAcknowledging = this.set.onChange((change) => {
      const notice: KillSwitchApplied = {
        instance: this.config.INSTANCE_ID,
        switchId: change.switch.switchId,
        kind: change.kind,
        at: performance.timeOrigin + performance.now(),
      };
      this.redis.publish(channel, JSON.stringify(notice)).catch((err: Error) => {
        this.logger.debug({ err }, 'kill-switch acknowledgement not published');
      });
    });
  }

  private applyRaw(raw: string): void {
    try {
      const parsed = KillSwitchChangedV1.safeParse(JSON.parse(raw));
      if (parsed.success) this.set.apply(parsed.data);
      else
        this.logger.warn(
          { issues: parsed.error.issues.length },
          'ignoring malformed kill-switch message on Redis',
        );
    } catch (error) {
      this.logger.warn({ err: error }, 'ignoring unparsable kill-switch message on Redis');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopAcknowledging?.();
    await this.tail?.stop();
    this.subscriber?.disconnect();
  }
}
