import { EventEnvelope, EventTypeName, EventDefinitions, topicName } from '@agentops/contracts';
import { Kafka, Producer } from 'kafkajs';
import { encodeEvent } from './codec';
import { MessagingLogger } from './logger';

export interface RawMessage {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
}

/**
 * The one producer a service uses. Idempotent with acks=all; `publish` resolves only once the
 * broker has acknowledged, so callers may commit their own state afterwards.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly logger: MessagingLogger,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async publish(event: EventEnvelope, key: string): Promise<void> {
    const def = EventDefinitions[event.type as EventTypeName];
    if (!def) throw new Error(`no topic for event type ${event.type}`);
    await this.publishMany([{ event, key }]);
  }

  /** Several events in one request, grouped by topic; all acknowledged or the promise rejects. */
  async publishMany(items: { event: EventEnvelope; key: string }[]): Promise<void> {
    const byTopic = new Map<string, ReturnType<typeof encodeEvent>[]>();
    for (const { event, key } of items) {
      const def = EventDefinitions[event.type as EventTypeName];
      if (!def) throw new Error(`no topic for event type ${event.type}`);
      const topic = topicName(def.topic, this.topicPrefix);
      const list = byTopic.get(topic) ?? [];
      list.push(encodeEvent(event, key));
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  /** For the DLQ and for tests that must put malformed bytes on a topic. */
  async publishRaw(physicalTopic: string, messages: RawMessage[]): Promise<void> {
    await this.producer.send({ topic: physicalTopic, acks: -1, messages });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    try {
      await this.producer.disconnect();
    } catch (error) {
      this.logger.warn({ err: error }, 'producer disconnect failed');
    }
  }
}
