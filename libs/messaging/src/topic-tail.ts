import { EventEnvelope, baseTopicName } from '@agentops/contracts';
import { Consumer } from 'kafkajs';
import { decodeTrustedEvent, headersToStrings } from './codec';
import { CONSUMER_RETRY, CONSUMER_SESSION_TIMEOUT_MS } from './consumer-group';
import { FETCH_MAX_WAIT_MS } from './fetch-wait';
import { KafkaClient, kafkaOf } from './kafka-client';
import { MessagingLogger } from './logger';

export interface TopicTailSettings {
  /** Physical topic name (prefix included). */
  topic: string;
  /** The deployment's topic prefix: events are checked against the base topic they travel on. */
  topicPrefix: string;
  /** Unique per instance: every instance reads the whole topic. */
  groupId: string;
  /**
   * A catch-up that takes longer than this is logged as slow (and again every such interval) —
   * never given up: a starved machine makes a start longer, not a failure (default 30 s).
   */
  slowCatchUpWarnMs?: number;
  /** Default FETCH_MAX_WAIT_MS, which costs no latency (see there). */
  maxWaitTimeInMs?: number;
}

/**
 * Reads a (compacted) state topic from the beginning and keeps following it. `start` resolves once
 * every message that existed when it was called has been handed over (the high watermarks read
 * before subscribing), so an instance can refuse to serve before its state is loaded. However long
 * that takes: a slow catch-up (a starved process, a group the coordinator dropped and kafkajs
 * rejoins) is logged every `slowCatchUpWarnMs` and waited for, while readiness stays down; only a
 * consumer that crashed for good, or `stop`, ends it with an error. An empty topic resolves at
 * once, without waiting for the group to join. Undecodable messages, and events whose
 * source may not produce them, are logged and skipped: one bad record must not block a start, and
 * every instance reads it at every start; audit, the state topics' one group reader, dead-letters
 * it once (StateTopics in libs/contracts).
 */
export class TopicTail {
  private consumer?: Consumer;
  private running = false;
  private abandonCatchUp?: (error: Error) => void;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly settings: TopicTailSettings,
    private readonly logger: MessagingLogger,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  async start(onEvent: (event: EventEnvelope) => void): Promise<{ loaded: number }> {
    const { topic } = this.settings;
    const baseTopic = baseTopicName(topic, this.settings.topicPrefix);
    const admin = kafkaOf(this.kafka).admin();
    await admin.connect();
    let offsets: { partition: number; high: string; low: string }[];
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const pending = new Map<number, bigint>();
    for (const o of offsets) if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high));

    let loaded = 0;
    let markCaughtUp: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => {
      markCaughtUp = resolve;
      if (pending.size === 0) resolve();
    });

    // A consumer that crashed for good (kafkajs does not restart it) will never catch up: that,
    // and a stop during the catch-up, end the start; slowness alone does not.
    let abandon: (error: Error) => void = () => undefined;
    const abandoned = new Promise<never>((_, reject) => (abandon = reject));
    abandoned.catch(() => undefined);
    this.abandonCatchUp = abandon;

    const consumer = kafkaOf(this.kafka).consumer({
      groupId: this.settings.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs ?? FETCH_MAX_WAIT_MS,
      minBytes: 1,
      // As long as the broker allows by default: a process starved for CPU misses heartbeats, and
      // a member the coordinator dropped must rejoin before the catch-up goes on.
      sessionTimeout: CONSUMER_SESSION_TIMEOUT_MS,
      rebalanceTimeout: CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      this.logger.error({ err: e.payload.error, topic, restart: e.payload.restart }, 'topic tail crashed');
      if (!e.payload.restart) abandon(new Error(`the tail of ${topic} crashed: ${e.payload.error.message}`));
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (pending.size > 0)
        this.logger.info({ topic, partitions: pending.size }, 'topic tail joined, catching up');
    });

    const startedAt = performance.now();
    const warnEveryMs = this.settings.slowCatchUpWarnMs ?? 30_000;
    const slow = setInterval(
      () =>
        this.logger.warn(
          {
            topic,
            behindPartitions: [...pending.keys()],
            loaded,
            ms: Math.round(performance.now() - startedAt),
          },
          'state topic not read to its high watermark yet; still catching up (readiness stays down)',
        ),
      warnEveryMs,
    );
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      this.running = true;
      await consumer.run({
        autoCommit: true,
        eachMessage: async ({ partition, message }) => {
          try {
            onEvent(decodeTrustedEvent(headersToStrings(message.headers as never), message.value, baseTopic));
            loaded++;
          } catch (error) {
            this.logger.warn(
              { err: error, topic, partition, offset: message.offset },
              'skipping undecodable or unauthorized state record',
            );
          }
          const target = pending.get(partition);
          if (target !== undefined && BigInt(message.offset) + 1n >= target) {
            pending.delete(partition);
            if (pending.size === 0) markCaughtUp();
          }
        },
      });
      await Promise.race([abandoned, caughtUp]);
    } finally {
      clearInterval(slow);
      this.abandonCatchUp = undefined;
    }
    return { loaded };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abandonCatchUp?.(new Error(`stopped before ${this.settings.topic} was read to its high watermark`));
    await this.consumer
      ?.disconnect()
      .catch((error: unknown) =>
        this.logger.warn({ err: error, topic: this.settings.topic }, 'topic tail disconnect failed'),
      );
  }
}
