import { TopicSpec, topicName } from '@agentops/contracts';
import { Kafka } from 'kafkajs';

export interface TopicCreationOptions {
  prefix: string;
  replicationFactor: number;
  minInsyncReplicas: number;
}

/** Creates every topic in the list that is missing; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[], options: TopicCreationOptions): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(topicName(t, options.prefix)));
    if (missing.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: topicName(t, options.prefix),
        numPartitions: t.partitions,
        replicationFactor: options.replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: t.cleanupPolicy },
          { name: 'min.insync.replicas', value: String(options.minInsyncReplicas) },
          ...(t.cleanupPolicy === 'delete' ? [{ name: 'retention.ms', value: String(t.retentionMs) }] : []),
        ],
      })),
    });
    return missing.map((t) => topicName(t, options.prefix));
  } finally {
    await admin.disconnect();
  }
}

/** Liveness of the broker connection, for readiness probes. */
export async function pingBroker(kafka: Kafka, timeoutMs = 2000): Promise<void> {
  const admin = kafka.admin();
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('kafka ping timed out')), timeoutMs));
  try {
    await Promise.race([(async () => { await admin.connect(); await admin.describeCluster(); })(), timeout]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
