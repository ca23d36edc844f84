import { EventEnvelope, Topics } from '@agentops/contracts';
import {
  EventConsumer,
  EventPublisher,
  KafkaAdmin,
  KafkaClient,
  createEvent,
  ensureTopics,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { adminKafka } from '../support/kafka-access';
import { eventually } from '../support/platform';

/**
 * libs/messaging's EventConsumer on the real broker while the store its handler needs is down
 * (issue #19): the message is held past its attempts instead of dead-lettered, and the consumer
 * says so — the hold begins once a round of attempts failed on the outage and ends once the
 * message went through (agentops_consumer_held_seconds and its alert read these reports).
 */
const prefix = `th${Date.now().toString(36)}.`;
let kafka: KafkaClient;
let publisher: EventPublisher;
const consumers: EventConsumer[] = [];

function intent(agent: string): EventEnvelope {
  return createEvent(
    'agentops.intent.proposed.v1',
    {
      intentId: newEventId(),
      action: 'pricing.set_price',
      target: { type: 'sku', id: 'SKU-1' },
      params: {},
      confidence: 0.9,
      justification: 'held partition test',
      dataUsed: [],
      agent: { id: agent, tenantId: 'acme', role: 'pricing', version: '1', region: 'eu', labels: {} },
      proposedAt: new Date().toISOString(),
    },
    { source: 'agentops/ingest', tenantid: 'acme', agentid: agent },
  );
}

beforeAll(async () => {
  kafka = adminKafka(prefix, 'event-consumer-hold-it');
  await ensureTopics(kafka, [Topics.intents, Topics.deadLetters], {
    prefix,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  publisher = new EventPublisher(kafka, prefix, silentLogger);
  await publisher.connect();
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await publisher?.disconnect();
  await KafkaAdmin.with(kafka, async (admin) => {
    await admin
      .deleteGroups((await admin.listGroups()).filter((g) => g.startsWith(prefix)))
      .catch(() => undefined);
  });
});

describe('EventConsumer holding a partition through an outage', () => {
  it('holds the message past its attempts, reports the hold, and ends it once the store is back', async () => {
    const event = intent(`held-${Math.random().toString(36).slice(2, 8)}`);
    const maxAttempts = 3;
    // Down for the first round of attempts and one attempt of the next: one pause, then through.
    const downFor = maxAttempts + 1;
    let calls = 0;
    let handled = 0;
    const holds: { heldSince: number | null; calls: number; handled: number }[] = [];
    const deadLettered: string[] = [];
    const consumer = new EventConsumer(
      kafka,
      publisher,
      prefix,
      {
        groupId: `${prefix}hold`,
        topics: [Topics.intents.name],
        fromBeginning: true,
        maxAttempts,
        retryBaseDelayMs: 10,
      },
      silentLogger,
      'agentops/guardrail',
      {
        onHold: (groupId, topic, partition, heldSince) => {
          expect(groupId).toBe(`${prefix}hold`);
          expect(topic).toBe(`${prefix}${Topics.intents.name}`);
          expect(partition).toEqual(expect.any(Number));
          holds.push({ heldSince, calls, handled });
        },
        onDeadLettered: (reason) => deadLettered.push(reason),
      },
    );
    consumers.push(consumer);
    await consumer.start(async (e) => {
      if (e.id !== event.id) return;
      if (++calls <= downFor)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      handled++;
    });
    await publisher.publish(event, event.agentid as string);

    await eventually(async () => handled === 1 && holds.length === 2, 60_000, 'handled after the hold');
    expect(deadLettered).toEqual([]);
    expect(calls).toBe(downFor + 1);
    // Begun after the first round failed, while nothing was handled; ended after the handler succeeded.
    expect(holds).toEqual([
      { heldSince: expect.any(Number), calls: maxAttempts, handled: 0 },
      { heldSince: null, calls: downFor + 1, handled: 1 },
    ]);
  });
});
