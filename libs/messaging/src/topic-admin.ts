import { TopicSpec, topicName } from '@agentops/contracts';
import { Admin } from 'kafkajs';
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

/**
 * Liveness of the broker connection, for readiness probes. One admin connection is kept across
 * probes (a probe every few seconds must not open and close a connection each time) and dropped
 * when a probe fails, so the next one reconnects.
 */
export class BrokerProbe {
  private admin?: Admin;

  constructor(private readonly kafka: KafkaClient) {}

  async ping(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('kafka ping timed out')), timeoutMs);
    });
    try {
      await Promise.race([this.describe(), timeout]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async describe(): Promise<void> {
    if (!this.admin) {
      const admin = kafkaOf(this.kafka).admin();
      await admin.connect();
      this.admin = admin;
    }
    await this.admin.describeCluster();
  }
}
