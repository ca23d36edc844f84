import { Admin, Consumer } from 'kafkajs';
import { headersToStrings } from './codec';
import { FETCH_MAX_WAIT_MS } from './fetch-wait';
import { KafkaClient, kafkaOf } from './kafka-client';

export interface PartitionOffsets {
  partition: number;
  /** The first offset still in the log. */
  low: string;
  /** Where the next message will be written. */
  high: string;
}

export interface GroupTopicOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/**
 * What a deployment's setup, a tool, a bench or a test does as the admin, in our words: offsets,
 * groups and topics. Services never need it (they have the publisher, consumers and the probe).
 */
export class KafkaAdmin {
  private constructor(private readonly admin: Admin) {}

  static async open(client: KafkaClient): Promise<KafkaAdmin> {
    const admin = kafkaOf(client).admin();
    await admin.connect();
    return new KafkaAdmin(admin);
  }

  /** One admin session around `work`, closed whatever happens. */
  static async with<T>(client: KafkaClient, work: (admin: KafkaAdmin) => Promise<T>): Promise<T> {
    const admin = await KafkaAdmin.open(client);
    try {
      return await work(admin);
    } finally {
      await admin.close();
    }
  }

  async topicOffsets(physicalTopic: string): Promise<PartitionOffsets[]> {
    return (await this.admin.fetchTopicOffsets(physicalTopic)).map(({ partition, low, high }) => ({
      partition,
      low,
      high,
    }));
  }

  /** A group's committed offsets (`-1` where it has none). */
  async groupOffsets(groupId: string, physicalTopics: string[]): Promise<GroupTopicOffsets[]> {
    return (await this.admin.fetchOffsets({ groupId, topics: physicalTopics })).map(
      ({ topic, partitions }) => ({
        topic,
        partitions: partitions.map(({ partition, offset }) => ({ partition, offset })),
      }),
    );
  }

  /** Moves a stopped group's offsets, as after a crash before the commit. */
  async setGroupOffsets(
    groupId: string,
    physicalTopic: string,
    partitions: { partition: number; offset: string }[],
  ): Promise<void> {
    await this.admin.setOffsets({ groupId, topic: physicalTopic, partitions });
  }

  /** A stopped group back to the start (or the end) of a topic. */
  async resetGroupOffsets(groupId: string, physicalTopic: string, to: 'earliest' | 'latest'): Promise<void> {
    await this.admin.resetOffsets({ groupId, topic: physicalTopic, earliest: to === 'earliest' });
  }

  async listGroups(): Promise<string[]> {
    return (await this.admin.listGroups()).groups.map((g) => g.groupId);
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length) await this.admin.deleteGroups(groupIds);
  }

  async listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async deleteTopics(physicalTopics: string[], timeoutMs = 30_000): Promise<void> {
    if (physicalTopics.length) await this.admin.deleteTopics({ topics: physicalTopics, timeout: timeoutMs });
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** A message as it is on the log, undecoded: for probes, benches and tests that inspect bytes. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface RawReaderSettings {
  groupId: string;
  /** Physical topic names. */
  topics: string[];
  fromBeginning: boolean;
  /** Default FETCH_MAX_WAIT_MS, which costs no latency (see there). */
  maxWaitTimeInMs?: number;
  /** Client retries before the reader gives up (default kafkajs's). */
  retries?: number;
  partitionsConsumedConcurrently?: number;
}

/**
 * Reads topics without decoding or dead-lettering anything, committing as it goes: an observer's
 * view (test probes, bench responders). `start` resolves once the group is joined and rejects if the
 * reader crashes first (a refused group, say). Services consume through EventConsumer/BatchConsumer.
 */
export class RawTopicReader {
  private consumer?: Consumer;

  constructor(
    private readonly client: KafkaClient,
    private readonly settings: RawReaderSettings,
  ) {}

  async start(onRecords: (records: RawRecord[]) => Promise<void> | void): Promise<void> {
    const consumer = kafkaOf(this.client).consumer({
      groupId: this.settings.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs ?? FETCH_MAX_WAIT_MS,
      minBytes: 1,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: this.settings.retries === undefined ? undefined : { retries: this.settings.retries },
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.settings.topics, fromBeginning: this.settings.fromBeginning });
    await consumer.run({
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch }) => {
        await onRecords(
          batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString('utf8') : null,
            value: m.value,
            headers: headersToStrings(m.headers as never),
            timestamp: m.timestamp,
          })),
        );
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
