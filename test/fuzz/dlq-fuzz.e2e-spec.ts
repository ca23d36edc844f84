import {
  EventDefinitions,
  EventTypeName,
  MessageDeadLetteredV1,
  ServiceName,
  ServiceNames,
  TopicSpec,
  auditOwnsRefusals,
  consumerGroupPrefix,
  mayProduce,
  Topics,
  eventSource,
  topicName,
  topicsReadBy,
} from '@agentops/contracts';
import {
  EventPublisher,
  KafkaAdmin,
  eventByteLimit,
  RawMessage,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { RunningService } from '@agentops/service-runtime';
import fc from 'fast-check';
import { adminKafka, prepareTestTopics, principalKafka } from '../support/kafka-access';
import { collectTopic } from '../support/kafka-probe';
import { bootWiredPlatform, eventually } from '../support/platform';
import { recordReliability } from '../../tools/reliability/summary';

/**
 * Issue #19 item 3, the Kafka half: malformed, oversized, wrong-schema and unknown-version
 * messages on every topic a service consumes go to the DLQ with their reason — from every
 * consumer group that reads the topic — and every group moves past them (its committed offset
 * reaches the end of the partition), so a poison message stalls nothing.
 */
/**
 * Topics of its own: the poison must not reach the other suites, which read the run's topics
 * (the decisions topic especially) and expect every message on them to be an event.
 */
const PREFIX = `dq${Date.now().toString(36)}.`;
const prefix = () => PREFIX;
const TENANT = 'maison-dlq-fuzz';

interface PoisonCase {
  name: string;
  /** Not every case fits every topic; absent: all. */
  fits?: (topic: TopicSpec) => boolean;
  reason: MessageDeadLetteredV1['reason'];
  message: (topic: TopicSpec) => RawMessage;
}

/** A type that travels on `topic`, and a service that may write it (whose principal publishes). */
function typeAndWriter(topic: TopicSpec): { type: EventTypeName; writer: ServiceName } | undefined {
  for (const type of Object.keys(EventDefinitions) as EventTypeName[]) {
    if (EventDefinitions[type].topic !== topic) continue;
    const writer = ServiceNames.find((s) => mayProduce(s, type));
    if (writer) return { type, writer };
  }
  return undefined;
}

/** Well-formed CloudEvents headers for `type`, as its writer would set them. */
function headersFor(topic: TopicSpec, marker: string, type?: string): Record<string, string> {
  const { type: own, writer } = typeAndWriter(topic)!;
  return {
    ce_id: marker,
    ce_source: eventSource(writer),
    ce_type: type ?? own,
    ce_specversion: '1.0',
    ce_time: new Date().toISOString(),
    ce_tenantid: TENANT,
    'content-type': 'application/json',
  };
}

const KEY = 'dlq-fuzz'; // one key: every case of a topic on one partition, in order

/** Drawn by fast-check once per run: bytes, JSON that fits no schema, header values. */
const samples = {
  bytes: fc.sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), 1)[0]!,
  wrongShape: fc.sample(
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }).map((k) => `fuzz_${k}`),
      fc.jsonValue(),
      {
        minKeys: 1,
        maxKeys: 5,
      },
    ),
    1,
  )[0]!,
  headerValue: fc.sample(fc.string({ minLength: 1, maxLength: 40 }), 1)[0]!,
};

const CASES: PoisonCase[] = [
  {
    name: 'a body that is not JSON',
    reason: 'malformed',
    message: (t) => ({ key: KEY, value: Buffer.from('{"not": json'), headers: headersFor(t, newEventId()) }),
  },
  {
    name: 'random bytes without CloudEvents headers',
    reason: 'malformed',
    message: () => ({ key: KEY, value: Buffer.from(samples.bytes), headers: { ce_id: newEventId() } }),
  },
  {
    name: 'a garbled type header',
    reason: 'malformed',
    message: (t) => ({
      key: KEY,
      value: Buffer.from('{}'),
      headers: { ...headersFor(t, newEventId()), ce_type: `x${samples.headerValue}` },
    }),
  },
  {
    name: 'an oversized body',
    reason: 'malformed',
    // A topic with its own larger limit takes no more than that limit from any producer (the broker
    // refuses it), so its consumers never see one; the codec's check of it is a unit spec.
    fits: (t) => t.maxMessageBytes === undefined,
    message: (t) => ({
      key: KEY,
      value: Buffer.from(JSON.stringify({ padding: 'x'.repeat(eventByteLimit(t.name)) })),
      headers: headersFor(t, newEventId()),
    }),
  },
  {
    name: 'JSON that breaks the schema',
    reason: 'schema_violation',
    message: (t) => ({
      key: KEY,
      value: Buffer.from(JSON.stringify(samples.wrongShape)),
      headers: headersFor(t, newEventId()),
    }),
  },
  {
    name: 'an unknown version of its type',
    reason: 'unknown_type',
    message: (t) => {
      const { type } = typeAndWriter(t)!;
      return {
        key: KEY,
        value: Buffer.from('{}'),
        headers: headersFor(t, newEventId(), type.replace(/\.v\d+$/, '.v99')),
      };
    },
  },
];

describe('poison messages on every consumed topic go to the DLQ, and no consumer stalls (issue #19 item 3)', () => {
  let svc: Record<ServiceName, RunningService>;
  const publishers: EventPublisher[] = [];
  let dlq: ReturnType<typeof collectTopic>;

  const consumed = [...new Set(ServiceNames.flatMap((s) => topicsReadBy(s)))].filter(
    (t) => t !== Topics.deadLetters && typeAndWriter(t) !== undefined,
  );
  const readersOf = (t: TopicSpec) => ServiceNames.filter((s) => topicsReadBy(s).includes(t));
  /**
   * Who dead-letters a refused message: every group reader but audit, which records what the
   * platform accepted and leaves a refusal to its owning consumer (it dead-letters a forged source
   * itself); on a state topic, which its other readers follow per instance, audit does.
   */
  const deadLettersOf = (t: TopicSpec) =>
    auditOwnsRefusals(t) ? (['audit'] as const) : readersOf(t).filter((s) => s !== 'audit');

  beforeAll(async () => {
    await prepareTestTopics(PREFIX);
    svc = await bootWiredPlatform({ KAFKA_TOPIC_PREFIX: PREFIX });
    dlq = collectTopic(topicName(Topics.deadLetters, prefix()));
    await dlq.ready;
  }, 240_000);

  afterAll(async () => {
    for (const p of publishers) await p.disconnect();
    await dlq?.stop();
    for (const name of [...ServiceNames].reverse()) await svc?.[name]?.close();
  });

  it('has topics to poison, each with at least one consumer', () => {
    expect(consumed.length).toBeGreaterThanOrEqual(8);
    for (const t of consumed) expect(deadLettersOf(t).length).toBeGreaterThan(0);
  });

  it('dead-letters every case from every consumer group, with its reason, and every group moves on', async () => {
    const sent: { topic: TopicSpec; case: PoisonCase; id: string; offset?: string }[] = [];
    for (const topic of consumed) {
      const publisher = new EventPublisher(
        principalKafka(typeAndWriter(topic)!.writer, prefix()),
        prefix(),
        silentLogger,
      );
      await publisher.connect();
      publishers.push(publisher);
      const messages = CASES.filter((c) => c.fits?.(topic) ?? true).map((c) => ({ c, m: c.message(topic) }));
      await publisher.publishRaw(
        topicName(topic, prefix()),
        messages.map(({ m }) => m),
      );
      for (const { c, m } of messages) sent.push({ topic, case: c, id: m.headers!.ce_id! });
    }

    const letters = () =>
      dlq.messages
        .map((m) => JSON.parse(m.value) as MessageDeadLetteredV1)
        .filter((d) => d.originalHeaders.ce_id);
    const missing = () =>
      sent.flatMap(({ topic, case: c, id }) =>
        deadLettersOf(topic)
          .filter(
            (reader) =>
              !letters().some(
                (d) =>
                  d.originalHeaders.ce_id === id &&
                  d.origin.topic === topicName(topic, prefix()) &&
                  d.origin.consumerGroup.includes(reader) &&
                  d.reason === c.reason,
              ),
          )
          .map((reader) => `${reader} on ${topic.name}: ${c.name} (${c.reason})`),
      );
    let last: string[] = [];
    const complete = await eventually(
      async () => {
        last = missing();
        return last.length === 0;
      },
      90_000,
      'a DLQ record per case and consumer group',
    ).catch(() => false);
    expect(last).toEqual([]);

    // No group stalls on them: every consumer group of every reader (audit's too) has committed
    // past the end of what the topic holds.
    const admin = await KafkaAdmin.open(adminKafka(prefix()));
    try {
      const allGroups = await admin.listGroups();
      const behind = async () => {
        const stalled: string[] = [];
        for (const topic of consumed) {
          const physical = topicName(topic, prefix());
          const ends = await admin.topicOffsets(physical);
          for (const reader of readersOf(topic)) {
            const groups = allGroups.filter((g) => g.startsWith(consumerGroupPrefix(reader, prefix())));
            const offsets = (await Promise.all(groups.map((g) => admin.groupOffsets(g, [physical])))).flat();
            for (const end of ends) {
              if (Number(end.high) <= Number(end.low)) continue;
              const committed = Math.max(
                -1,
                ...offsets.flatMap((o) =>
                  o.partitions.filter((p) => p.partition === end.partition).map((p) => Number(p.offset)),
                ),
              );
              if (committed < Number(end.high))
                stalled.push(`${reader} ${topic.name}[${end.partition}] at ${committed} of ${end.high}`);
            }
          }
        }
        return stalled;
      };
      let stalled: string[] = [];
      await eventually(
        async () => {
          stalled = await behind();
          return stalled.length === 0;
        },
        60_000,
        'every consumer group past the poison messages',
      ).catch(() => undefined);
      expect(stalled).toEqual([]);
      recordReliability({ dlq_malformed_ok: complete === true && stalled.length === 0 });
    } finally {
      await admin.close();
    }
  }, 300_000);
});
