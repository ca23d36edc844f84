import { createEvent } from './envelope-factory';
import { EventPublisher, MAX_REQUEST_BYTES, unacknowledged } from './event-publisher';
import { wrapKafka } from './kafka-client';
import type { Kafka, Message, ProducerConfig, RecordMetadata } from 'kafkajs';

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * A producer that behaves as kafkajs 2.2 does when a leader dies mid-send (tulios/kafkajs#1303): it
 * places every message with the configured partitioner, then answers for some partitions only —
 * as if the partitions of the dead leader had never been sent — without an error.
 */
function fakeKafka(dropOnFirstSend: number[]) {
  const sent: { partition: number; key: string }[] = [];
  let sends = 0;
  const kafka = {
    producer(config: ProducerConfig) {
      const partitioner = config.createPartitioner!();
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: Message[] }[] }) => {
          sends++;
          const answered: RecordMetadata[] = [];
          for (const { topic, messages } of topicMessages)
            for (const message of messages) {
              const partition = partitioner({
                topic,
                message,
                partitionMetadata: [0, 1, 2, 3].map((p) => ({ partitionId: p, leader: p % 3 }) as never),
              });
              if (sends === 1 && dropOnFirstSend.includes(partition)) continue;
              sent.push({ partition, key: String(message.key) });
              if (!answered.some((r) => r.partition === partition && r.topicName === topic))
                answered.push({ topicName: topic, partition, errorCode: 0 } as RecordMetadata);
            }
          return answered;
        },
      };
    },
  } as unknown as Kafka;
  return { client: wrapKafka(kafka, 'test'), sent, sends: () => sends };
}

function events(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `agent-${i}`,
    event: createEvent(
      'agentops.telemetry.recorded.v1' as never,
      {
        agentId: `agent-${i}`,
        kind: 'tool_call',
        name: 'lookup',
        recordedAt: new Date(0).toISOString(),
      } as never,
      { source: 'agentops/test', tenantid: 't1' },
    ),
  }));
}

describe('EventPublisher: every acknowledged event reached a broker', () => {
  it('sends again the messages of partitions that no acknowledgement named, once each', async () => {
    const kafka = fakeKafka([1]);
    const publisher = new EventPublisher(kafka.client, '', silent as never);
    const batch = events(40);
    await publisher.publishMany(batch);
    expect(kafka.sends()).toBe(2);
    // Each of the 40 events reached a partition exactly once in what the fake "broker" took.
    expect(kafka.sent.map((s) => s.key).sort()).toEqual(batch.map((b) => b.key).sort());
    expect(kafka.sent.some((s) => s.partition === 1)).toBe(true);
  });

  it('one send when every partition is acknowledged', async () => {
    const kafka = fakeKafka([]);
    await new EventPublisher(kafka.client, '', silent as never).publishMany(events(10));
    expect(kafka.sends()).toBe(1);
  });
});

describe("EventPublisher: a large publishMany stays under the broker's record batch limit", () => {
  const big = (n: number, from = 0) =>
    events(n + from)
      .slice(from)
      .map((e) => ({
        ...e,
        event: { ...e.event, data: { ...(e.event.data as object), name: 'x'.repeat(20_000) } },
      }));

  it('cuts one publishMany into requests of at most MAX_REQUEST_BYTES, in order, and resolves once all are acknowledged', async () => {
    const kafka = fakeKafka([]);
    const batch = big(60); // ~1.2 MB: above a broker's default 1 MiB for one partition
    await new EventPublisher(kafka.client, '', silent as never).publishMany(batch);
    expect(kafka.sends()).toBeGreaterThanOrEqual(Math.ceil((60 * 20_000) / MAX_REQUEST_BYTES));
    expect(kafka.sent.map((s) => s.key)).toEqual(batch.map((b) => b.key));
  });

  it('fails the publishMany a failed request carried and every one queued behind it, not those sent before', async () => {
    let sends = 0;
    const kafka = fakeKafka([]);
    const publisher = new EventPublisher(kafka.client, '', silent as never);
    const inner = (publisher as unknown as { producer: { sendBatch: (a: unknown) => Promise<unknown> } })
      .producer;
    const sendBatch = inner.sendBatch;
    inner.sendBatch = async (args) => {
      if (++sends === 2) throw new Error('broker gone');
      return sendBatch(args);
    };
    // The first (one request) is in flight while the others queue; they leave together in the next
    // round, cut into requests: its first one fails, and the third is never sent after it.
    const first = publisher.publishMany(big(20));
    const second = publisher.publishMany(big(30, 30));
    const third = publisher.publishMany(big(1, 60));
    const results = await Promise.allSettled([first, second, third]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(kafka.sent.map((s) => s.key)).toEqual(big(20).map((b) => b.key));
  });
});

describe('unacknowledged', () => {
  const a: Message = { key: 'a', value: '1' };
  const b: Message = { key: 'b', value: '2' };
  const c: Message = { key: 'c', value: '3' };

  it('keeps the messages whose topic and partition no acknowledgement names, and unplaced ones', () => {
    const placed = new Map<Message, number>([
      [a, 0],
      [b, 1],
    ]);
    expect(
      unacknowledged([{ topic: 't', messages: [a, b, c] }], placed, [{ topicName: 't', partition: 0 }]),
    ).toEqual([{ topic: 't', messages: [b, c] }]);
  });

  it('does not take an acknowledgement of the same partition number on another topic', () => {
    const placed = new Map<Message, number>([[a, 0]]);
    expect(
      unacknowledged([{ topic: 't', messages: [a] }], placed, [{ topicName: 'u', partition: 0 }]),
    ).toEqual([{ topic: 't', messages: [a] }]);
  });
});
