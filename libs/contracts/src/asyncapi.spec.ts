import { parse, stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi';
import { CloudEventHeaders } from './envelope';
import { envelopeJsonSchema, eventJsonSchemas } from './json-schema';
import { EventDefinitions } from './registry';
import { allTopics } from './topics';

type Json = Record<string, unknown>;

interface Channel {
  address: string;
  description: string;
  messages: Record<string, { $ref: string }>;
  bindings: { kafka: { topic: string; partitions: number; topicConfiguration: Record<string, unknown> } };
}

interface Message {
  name: string;
  payload: unknown;
  headers: { properties: Record<string, unknown>; required: string[] };
}

/** Resolves a local JSON pointer such as `#/components/messages/x`. */
function resolveRef(doc: Json, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], doc);
}

describe('buildAsyncApiDocument', () => {
  const doc = buildAsyncApiDocument('9.8.7');
  const channels = doc.channels as Record<string, Channel>;
  const messages = (doc.components as { messages: Record<string, Message> }).messages;
  const operations = doc.operations as Record<string, { action: string; channel: { $ref: string } }>;

  it('is an AsyncAPI 3.0.0 document carrying the given version', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '9.8.7' });
    expect(doc.defaultContentType).toBe('application/json');
  });

  it('has exactly one channel per topic, addressed by the topic name', () => {
    const addresses = Object.values(channels).map((c) => c.address);
    expect(addresses.sort()).toEqual(allTopics.map((t) => t.name).sort());
    for (const topic of allTopics) {
      const channel = Object.values(channels).find((c) => c.address === topic.name);
      expect(channel).toBeDefined();
      expect(channel?.description).toBe(topic.description);
      expect(channel?.bindings.kafka).toMatchObject({ topic: topic.name, partitions: topic.partitions });
      expect(channel?.bindings.kafka.topicConfiguration['cleanup.policy']).toEqual([topic.cleanupPolicy]);
      if (topic.cleanupPolicy === 'compact')
        expect(channel?.bindings.kafka.topicConfiguration).not.toHaveProperty(['retention.ms']);
      else expect(channel?.bindings.kafka.topicConfiguration['retention.ms']).toBe(topic.retentionMs);
    }
  });

  it('defines one message per event type with its JSON Schema as payload', () => {
    const schemas = eventJsonSchemas();
    const byName = new Map(Object.values(messages).map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(Object.keys(EventDefinitions).sort());
    for (const type of Object.keys(EventDefinitions))
      expect(byName.get(type)?.payload).toEqual(schemas[type]);
  });

  it('references every message from the channel of its topic, and every reference resolves', () => {
    const referenced = new Set<string>();
    for (const channel of Object.values(channels)) {
      for (const { $ref } of Object.values(channel.messages)) {
        const message = resolveRef(doc, $ref) as Message | undefined;
        expect(message).toBeDefined();
        const def = EventDefinitions[message!.name as keyof typeof EventDefinitions];
        expect(def.topic.name).toBe(channel.address);
        referenced.add($ref);
      }
    }
    const all = Object.keys(messages).map((id) => `#/components/messages/${id}`);
    expect([...referenced].sort()).toEqual(all.sort());
  });

  it('has a receive operation for every channel, pointing at an existing channel', () => {
    expect(Object.keys(operations)).toHaveLength(allTopics.length);
    const targets = Object.values(operations).map((op) => {
      expect(op.action).toBe('receive');
      const channel = resolveRef(doc, op.channel.$ref) as Channel | undefined;
      expect(channel).toBeDefined();
      return channel!.address;
    });
    expect(targets.sort()).toEqual(allTopics.map((t) => t.name).sort());
  });

  it('documents the CloudEvents headers and requires those the envelope requires', () => {
    for (const message of Object.values(messages)) {
      expect(Object.keys(message.headers.properties).sort()).toEqual(Object.values(CloudEventHeaders).sort());
      for (const header of message.headers.required)
        expect(message.headers.properties).toHaveProperty([header]);
      expect(message.headers.required).toEqual(
        expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_time', 'ce_tenantid']),
      );
    }
    expect((doc.components as Json).schemas).toEqual({ CloudEventAttributes: envelopeJsonSchema() });
  });

  it('survives a YAML round trip unchanged', () => {
    expect(parse(stringify(doc, { aliasDuplicateObjects: false }))).toEqual(doc);
  });
});
