import { EventEnvelope, EventTypeName, EventDefinitions, topicName } from '@agentops/contracts';
import { Producer } from 'kafkajs';
import { encodeEvent } from './codec';
import { KafkaClient, kafkaOf } from './kafka-client';
import { MessagingLogger } from './logger';

export interface RawMessage {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** Absent: the partitioner picks by key. Tests pin a partition to aim at one chain. */
  partition?: number;
}

/**
 * The one producer a service uses. Idempotent with acks=all; `publish` resolves only once the
 * broker has acknowledged, so callers may commit their own state afterwards.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: KafkaClient,
    private readonly topicPrefix: string,
    private readonly logger: MessagingLogger,
  ) {
    this.producer = kafkaOf(kafka).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
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

  /**
   * Several events, acknowledged together or the promise rejects. kafkajs's idempotent producer
   * allows one request in flight, so sends are coalesced: while a request is on the wire, new
   * events queue up and leave together in the next one. An idle publisher adds no delay; a busy
   * one (six partitions deciding at once) sends one request instead of six in a row.
   */
  async publishMany(items: { event: EventEnvelope; key: string }[]): Promise<void> {
    const encoded = items.map(({ event, key }) => {
      const def = EventDefinitions[event.type as EventTypeName];
      if (!def) throw new Error(`no topic for event type ${event.type}`);
      return { topic: topicName(def.topic, this.topicPrefix), message: encodeEvent(event, key) };
    });
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages: encoded, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private readonly queue: {
    messages: { topic: string; message: ReturnType<typeof encodeEvent> }[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private sending = false;

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.queue.length);
        const byTopic = new Map<string, ReturnType<typeof encodeEvent>[]>();
        for (const item of batch)
          for (const { topic, message } of item.messages)
            byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
        try {
          await this.producer.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
          batch.forEach((b) => b.resolve());
        } catch (error) {
          batch.forEach((b) => b.reject(error));
        }
      }
    } finally {
      this.sending = false;
    }
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
