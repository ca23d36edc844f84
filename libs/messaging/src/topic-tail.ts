import { EventEnvelope, baseTopicName } from '@agentops/contracts';
import { Consumer } from 'kafkajs';
import { decodeTrustedEvent, headersToStrings } from './codec';
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
  /** Give up on the initial catch-up after this long (the instance then fails to start). */
  catchUpTimeoutMs?: number;
  /** Default FETCH_MAX_WAIT_MS, which costs no latency (see there). */
  maxWaitTimeInMs?: number;
}

/**
 * Reads a (compacted) state topic from the beginning and keeps following it. `start` resolves once
 * every message that existed when it was called has been handed over (the high watermarks read
 * before subscribing), so an instance can refuse to serve before its state is loaded. An empty topic
 * resolves at once, without waiting for the group to join. Undecodable messages, and events whose
 * source may not produce them, are logged and skipped: one bad record must not block a start, and
 * every instance reads it at every start; audit, the state topics' one group reader, dead-letters
 * it once (StateTopics in libs/contracts).
 */
export class TopicTail {
  private consumer?: Consumer;
  private running = false;

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

    const consumer = kafkaOf(this.kafka).consumer({
      groupId: this.settings.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs ?? FETCH_MAX_WAIT_MS,
      minBytes: 1,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) =>
      this.logger.error({ err: e.payload.error, topic }, 'topic tail crashed'),
    );
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

    const timeoutMs = this.settings.catchUpTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        caughtUp,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`could not read ${topic} to its high watermark within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    return { loaded };
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer
      ?.disconnect()
      .catch((error: unknown) =>
        this.logger.warn({ err: error, topic: this.settings.topic }, 'topic tail disconnect failed'),
      );
  }
}
