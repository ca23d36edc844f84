import { CommonEnv, LOGGER, REDIS, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { EventTypes, KillSwitchChangedV1, Topics, topicName } from '@agentops/contracts';
import { TopicTail } from '@agentops/messaging';
import { MessagingRuntime } from '@agentops/messaging-nest';
import { Redis } from '@agentops/persistence';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { KillSwitchApplied, killSwitchAppliedChannel, killSwitchChannel } from './channel';
import { SwitchFeed } from './switch-feed';
import type { SwitchFeedNotice, SwitchFeedWorkerData } from './switch-feed-worker';
import { KillSwitchSet } from './switch-set';

/**
 * Keeps this instance's KillSwitchSet current. At module init — before HTTP listens and before any
 * consumer starts — it subscribes to the Redis channel, then reads the compacted topic to its high
 * watermark; only then is the set marked loaded (readiness check `killswitch-state`). Afterwards
 * Redis delivers flips within a millisecond or so, and the topic tail repairs anything Redis lost
 * (pub/sub is at-most-once).
 *
 * A second subscription, on a thread of its own (switch-feed-worker.ts), writes each change to
 * shared memory that the set reads at the start of every check: enforcement does not wait for this
 * event loop, busy deciding intents, to reach the socket (#14 item 5; see `listen`).
 */
@Injectable()
export class KillSwitchFollower implements OnModuleInit, OnModuleDestroy {
  private subscriber?: Redis;
  private worker?: Worker;
  private stopping = false;
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
    await this.listen(killSwitchChannel(this.config));

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

  /**
   * Two subscriptions to the same channel: one on this event loop (applied on its turn, as before;
   * with the topic tail, all that correctness rests on) and one on the listening thread, which
   * writes each change to the shared feed this set reads at the start of every check. A busy loop
   * still enforces a flip at its next check; an idle one applies it from its own socket without a
   * thread hop. The thread is an accelerator: if it cannot start or dies, enforcement goes on.
   */
  private async listen(channel: string): Promise<void> {
    const subscriber = this.redis.duplicate({ connectionName: `${this.config.INSTANCE_ID}-killswitch-sub` });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, raw: string) => this.applyRaw(raw));
    await subscriber.subscribe(channel);
    if (!this.config.KILLSWITCH_FEED_THREAD) return;
    try {
      this.startFeedThread(channel);
    } catch (error) {
      this.logger.warn(
        { err: error },
        'kill-switch feed thread not started: changes apply on the event loop only',
      );
    }
  }

  private startFeedThread(channel: string): void {
    const feed = new SwitchFeed();
    const compiled = join(__dirname, 'switch-feed-worker.js');
    const fromSources = !existsSync(compiled);
    const workerData: SwitchFeedWorkerData = {
      redisUrl: this.config.REDIS_URL,
      channel,
      connectionName: `${this.config.INSTANCE_ID}-killswitch-feed`,
      buffer: feed.buffer,
      ...(fromSources ? { tsModule: join(__dirname, 'switch-feed-worker.ts') } : {}),
    };
    const worker = new Worker(
      fromSources ? join(__dirname, '../../../tools/runtime/ts-worker.js') : compiled,
      { workerData, name: 'killswitch-feed' },
    );
    // The thread must not keep a stopping process alive; the topic tail and HTTP do that.
    worker.unref();
    this.worker = worker;
    this.set.pullFrom(() => {
      for (const raw of feed.take()) this.applyRaw(raw);
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.set.pullFrom(undefined);
      if (!this.stopping)
        this.logger.warn({ why }, 'kill-switch feed thread lost: changes apply on the event loop only');
    };
    worker.on('message', (notice: SwitchFeedNotice) => {
      if ('failed' in notice) {
        lost(notice.failed);
        void worker.terminate();
      }
    });
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exited with code ${code}`));
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
    this.stopping = true;
    this.stopAcknowledging?.();
    await this.tail?.stop();
    this.subscriber?.disconnect();
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
