import { TopicSpec, topicName } from '@agentops/contracts';
import { KafkaClient, kafkaOf } from './kafka-client';

export interface TopicCreationOptions {
  prefix: string;
  replicationFactor: number;
  minInsyncReplicas: number;
}

/**
 * Creates every topic in the list that is missing (existing topics are left as they are) and
 * returns once every partition has a leader. On Kafka 4 (KRaft) a new topic reaches the broker's
 * metadata a moment after the controller created it, and kafkajs' waitForLeaders can give up on
 * the UNKNOWN_TOPIC_OR_PARTITION it sees meanwhile; so creation is retried and leaders awaited.
 */
export async function ensureTopics(
  kafka: KafkaClient,
  topics: readonly TopicSpec[],
  options: TopicCreationOptions,
  timeoutMs = 30_000,
): Promise<string[]> {
  const admin = kafkaOf(kafka).admin();
  await admin.connect();
  const names = topics.map((t) => topicName(t, options.prefix));
  const created = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(topicName(t, options.prefix)));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((t) => topicConfig(t, options)),
          });
          missing.forEach((t) => created.add(topicName(t, options.prefix)));
        }
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
        const leaderless = metadata
          .filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0))
          .map((t) => t.name);
        if (leaderless.length) throw new Error(`no leader yet for ${leaderless.join(', ')}`);
        return [...created];
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function topicConfig(t: TopicSpec, options: TopicCreationOptions) {
  return {
    topic: topicName(t, options.prefix),
    numPartitions: t.partitions,
    replicationFactor: options.replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: t.cleanupPolicy },
      { name: 'min.insync.replicas', value: String(options.minInsyncReplicas) },
      ...(t.cleanupPolicy === 'delete' ? [{ name: 'retention.ms', value: String(t.retentionMs) }] : []),
      ...(t.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(t.maxMessageBytes) }] : []),
    ],
  };
}

/** What a probe needs of an admin connection. */
export interface ProbeAdmin {
  connect(): Promise<void>;
  describeCluster(): Promise<unknown>;
  disconnect(): Promise<void>;
}

/**
 * Liveness of the broker connection, for readiness probes. One admin connection is kept across
 * probes (a probe every few seconds must not open and close a connection each time) and dropped
 * when a probe fails, so the next one reconnects. Concurrent probes share the one in flight and the
 * one connection: /health/ready is public, and before this a burst of parallel probes opened a
 * connection each and kept all but the last open for good (found by the HTTP fuzz suite).
 */
export class BrokerProbe {
  /** The admin connection while it connects or is connected; at most one. */
  private admin?: Promise<ProbeAdmin>;
  private inFlight?: Promise<void>;

  constructor(
    kafka: KafkaClient,
    private readonly newAdmin: () => ProbeAdmin = () => kafkaOf(kafka).admin(),
  ) {}

  ping(timeoutMs = 2000): Promise<void> {
    this.inFlight ??= this.probe(timeoutMs).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private async probe(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('kafka ping timed out')), timeoutMs);
    });
    try {
      await Promise.race([this.describe(), timeout]);
    } catch (error) {
      // Not awaited: a connection still being set up must not hold the probe past its timeout.
      void this.drop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    return admin ? admin.then((a) => a.disconnect()).catch(() => undefined) : Promise.resolve();
  }

  private async describe(): Promise<void> {
    if (!this.admin) {
      const admin = this.newAdmin();
      const connected = admin.connect().then(() => admin);
      this.admin = connected;
      connected.catch(() => {
        if (this.admin === connected) this.admin = undefined;
      });
    }
    await (await this.admin).describeCluster();
  }
}
