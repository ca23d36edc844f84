import { EventEnvelope, EventTypeName, EventDefinitions, topicName } from '@agentops/contracts';
import { Message, Partitioners, Producer, RecordMetadata } from 'kafkajs';
import { encodeEvent } from './codec';
import { KafkaClient, kafkaOf } from './kafka-client';
import { MessagingLogger } from './logger';
import { endSpan, startProducerSpan, wireTraceparent } from './message-spans';

export interface RawMessage {
  key: string | null;
  value: Buffer | string | null;
  headers?: Record<string, string>;
  /** Absent: the partitioner picks by key. Tests pin a partition to aim at one chain. */
  partition?: number;
}

/** Told of every event a broker acknowledged (metrics of what the service decided, say). */
export interface PublishObserver {
  onPublished?(event: EventEnvelope): void;
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
    /** The tracer's name for the send spans: the producing service's event source. */
    private readonly source = 'agentops/messaging',
    private readonly observer: PublishObserver = {},
  ) {
    this.producer = kafkaOf(kafka).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // kafkajs's default (Java-compatible murmur2 by key), watched: which partition each message of
      // the send in hand went to, so that `sendAll` can tell whether every one was acknowledged.
      createPartitioner: () => {
        const pick = Partitioners.DefaultPartitioner();
        return (args) => {
          const partition = pick(args);
          this.placed?.set(args.message, partition);
          return partition;
        };
      },
    });
  }

  /** The partition of each message of the send in flight (one at a time: see `drain`). */
  private placed: Map<Message, number> | null = null;

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
      return { topic: topicName(def.topic, this.topicPrefix), event, key };
    });
    // A send span per event; the header carries the span's context (the message's creation context).
    const spans = encoded.map(({ topic, event, key }) => startProducerSpan(this.source, event, topic, key));
    const sent = this.enqueue(
      encoded.map(({ topic, event, key }, i) => ({
        topic,
        message: encodeEvent({ ...event, traceparent: wireTraceparent(spans[i]!, event) }, key) as Message,
      })),
    );
    return sent.then(
      () => {
        spans.forEach((span) => endSpan(span));
        for (const { event } of encoded) this.observer.onPublished?.(event);
      },
      (error: unknown) => {
        spans.forEach((span) => endSpan(span, error));
        throw error;
      },
    );
  }

  /** Every send goes through one queue: one request in flight, and `placed` belongs to it. */
  private enqueue(messages: { topic: string; message: Message }[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private readonly queue: {
    messages: { topic: string; message: Message }[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private sending = false;

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.queue.length);
        // A broker refuses a record batch above its message.max.bytes (1 MiB by default), and
        // kafkajs puts one partition's messages of a send into one record batch: sends are cut at
        // MAX_REQUEST_BYTES, in queue order, so a batch handler may publish a whole chunk at once.
        const failedFrom = await this.sendInRequests(batch);
        batch.forEach((b, i) => (failedFrom.index <= i ? b.reject(failedFrom.error) : b.resolve()));
      }
    } finally {
      this.sending = false;
    }
  }

  /**
   * Sends the queued items' messages in order, in requests of at most MAX_REQUEST_BYTES (an item
   * may span several). Stops at the first failure: the item it hit and every later one fail (none
   * of theirs is sent after a failed one, so order per partition holds); earlier items succeeded.
   */
  private async sendInRequests(
    batch: { messages: { topic: string; message: Message }[] }[],
  ): Promise<{ index: number; error?: unknown }> {
    let request: { topic: string; message: Message }[] = [];
    let bytes = 0;
    let firstItem = 0;
    const send = async (upTo: number): Promise<{ index: number; error?: unknown } | null> => {
      if (request.length === 0) return null;
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of request) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      request = [];
      bytes = 0;
      try {
        await this.sendAll([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      } catch (error) {
        return { index: firstItem, error };
      }
      firstItem = upTo;
      return null;
    };
    for (let i = 0; i < batch.length; i++) {
      for (const m of batch[i].messages) {
        const size = messageBytes(m.message);
        if (request.length && bytes + size > MAX_REQUEST_BYTES) {
          const failed = await send(i);
          if (failed) return failed;
        }
        request.push(m);
        bytes += size;
      }
    }
    return (await send(batch.length)) ?? { index: batch.length };
  }

  /** For the DLQ and for tests that must put malformed bytes on a topic. */
  async publishRaw(physicalTopic: string, messages: RawMessage[]): Promise<void> {
    await this.enqueue(messages.map((message) => ({ topic: physicalTopic, message })));
  }

  /**
   * One acks=all send that resolves only when a broker acknowledged every partition written to.
   * kafkajs 2.2 can report success for messages no broker took (tulios/kafkajs#1303): when a leader
   * dies mid-send, its retry re-sends only to brokers that have not answered yet, so partitions
   * that moved to a broker which already answered are never sent. Measured on the three-node
   * cluster: 3-4 acknowledged events lost per broker loss (docs/reliability.md). The response
   * names each partition it covers; messages of a partition missing from it are sent again (at
   * least once: a dead leader may have written them before dying; consumers dedupe by event id).
   */
  private async sendAll(topicMessages: { topic: string; messages: Message[] }[]): Promise<void> {
    let pending = topicMessages;
    for (let round = 1; ; round++) {
      const placed = new Map<Message, number>();
      this.placed = placed;
      let acknowledged: RecordMetadata[];
      try {
        acknowledged = await this.producer.sendBatch({ acks: -1, topicMessages: pending });
      } finally {
        this.placed = null;
      }
      pending = unacknowledged(pending, placed, acknowledged);
      if (pending.length === 0) return;
      const count = pending.reduce((n, t) => n + t.messages.length, 0);
      if (round >= MAX_SEND_ROUNDS)
        throw new Error(
          `the brokers acknowledged the send but not ${count} of its messages, after ${round} rounds`,
        );
      this.logger.warn(
        { messages: count, partitions: pending.map((t) => t.topic), round },
        'the producer reported a send that no broker acknowledged for some partitions; sending those again (kafkajs#1303)',
      );
    }
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

/** A send whose partitions stay unacknowledged this many times in a row is refused, not retried on. */
const MAX_SEND_ROUNDS = 5;

/** Half the broker's default message.max.bytes: a request's messages of one partition fit in one record batch. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** What a message weighs on the wire, near enough (record overhead included). */
function messageBytes(message: Message): number {
  let size = 64 + (message.key ? Buffer.byteLength(message.key as string | Buffer) : 0);
  if (message.value) size += Buffer.byteLength(message.value as string | Buffer);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + (value ? Buffer.byteLength(String(value)) : 0);
  return size;
}

/**
 * The messages of `sent` whose partition no acknowledgement names. A message the partitioner never
 * saw (kafkajs returned before placing it) counts as unacknowledged too.
 */
export function unacknowledged(
  sent: { topic: string; messages: Message[] }[],
  placed: ReadonlyMap<Message, number>,
  acknowledged: Pick<RecordMetadata, 'topicName' | 'partition'>[],
): { topic: string; messages: Message[] }[] {
  const covered = new Set(acknowledged.map((r) => `${r.partition}\u0000${r.topicName}`));
  return sent
    .map(({ topic, messages }) => ({
      topic,
      messages: messages.filter((m) => {
        const partition = placed.get(m);
        return partition === undefined || !covered.has(`${partition}\u0000${topic}`);
      }),
    }))
    .filter((t) => t.messages.length > 0);
}
