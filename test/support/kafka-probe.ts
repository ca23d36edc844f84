import { KafkaAdmin, RawTopicReader } from '@agentops/messaging';
import { adminKafka } from './kafka-access';

export interface ProbedMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning under a throwaway group, for assertions on what was produced.
 * `caughtUp()` is the positive marker for "no duplicate arrived": it resolves once everything the
 * topic held when it was called has been collected, so nothing written before can still turn up.
 */
export function collectTopic(physicalTopic: string) {
  const kafka = probeKafka();
  const reader = new RawTopicReader(kafka, {
    groupId: `probe-${physicalTopic}-${Date.now()}-${Math.random()}`,
    topics: [physicalTopic],
    fromBeginning: true,
    maxWaitTimeInMs: 50,
  });
  const messages: ProbedMessage[] = [];
  const next = new Map<number, number>(); // partition → the offset after the last one collected
  const ready = reader.start((records) => {
    for (const r of records) {
      next.set(r.partition, Number(r.offset) + 1);
      messages.push({ key: r.key, value: r.value?.toString() ?? '', headers: r.headers });
    }
  });
  const caughtUp = async (timeoutMs = 20_000): Promise<void> => {
    const ends = await KafkaAdmin.with(kafka, (admin) => admin.topicOffsets(physicalTopic));
    const deadline = Date.now() + timeoutMs;
    const behind = () =>
      ends.filter((e) => Number(e.high) > Math.max(next.get(e.partition) ?? 0, Number(e.low)));
    while (behind().length) {
      if (Date.now() > deadline)
        throw new Error(`${physicalTopic}: not caught up on partitions ${behind().map((e) => e.partition)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { messages, ready, caughtUp, stop: () => reader.stop() };
}

/** As the admin: an observer outside every service's ACLs. */
function probeKafka() {
  return adminKafka('', 'agentops-test-probe');
}

/** Each partition's end offset now (where the next message will be written). */
export async function topicEnds(physicalTopic: string): Promise<{ partition: number; offset: string }[]> {
  const offsets = await KafkaAdmin.with(probeKafka(), (admin) => admin.topicOffsets(physicalTopic));
  return offsets.map((o) => ({ partition: o.partition, offset: o.high }));
}

/**
 * Moves a stopped consumer group back to earlier offsets, so its next member receives again what it
 * had already handled and committed: a redelivery, as after a crash before the commit.
 */
export async function rewindGroup(
  groupId: string,
  physicalTopic: string,
  partitions: { partition: number; offset: string }[],
): Promise<void> {
  await KafkaAdmin.with(probeKafka(), (admin) => admin.setGroupOffsets(groupId, physicalTopic, partitions));
}

/**
 * Waits until a service's consumer group has committed everything the topics held when called. A
 * group shared by the run's suites resumes where the last instance stopped, so a freshly booted
 * service may first have to work through what earlier suites produced: wait for that instead of
 * giving the first assertion a longer timeout.
 */
export async function groupCaughtUp(
  groupId: string,
  physicalTopics: string[],
  timeoutMs = 60_000,
): Promise<void> {
  await KafkaAdmin.with(probeKafka(), async (admin) => {
    const ends = new Map<string, { partition: number; high: number }[]>();
    for (const topic of physicalTopics)
      ends.set(
        topic,
        (await admin.topicOffsets(topic)).map((o) => ({ partition: o.partition, high: Number(o.high) })),
      );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const committed = await admin.groupOffsets(groupId, physicalTopics);
      const behind = committed.flatMap(({ topic, partitions }) =>
        ends
          .get(topic)!
          .filter(
            (e) =>
              e.high > 0 &&
              Number(partitions.find((p) => p.partition === e.partition)?.offset ?? -1) < e.high,
          )
          .map((e) => `${topic}:${e.partition}`),
      );
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${groupId} has not caught up on ${behind.join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
}
