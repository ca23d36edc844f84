import { TopicSpec } from '@agentops/contracts';
import {
  CorrelationWaiter,
  EventPublisher,
  KafkaClient,
  FETCH_MAX_WAIT_MS,
  RawTopicReader,
  silentLogger,
} from '@agentops/messaging';
import { localAdminKafka } from '../../tools/kafka-access/local-principals';
import { IsolatedStack, benchTopicSpec, ensureTopicsReady } from '../shared/isolated-stack';
import { OpenLoopOptions, OpenLoopResult, runOpenLoop } from '../shared/open-loop';
import { benchIntent } from './decision-path';

const PING = 'bench.ping';
const PONG = 'bench.pong';
const CORRELATION_HEADER = 'bench-id';
const REPLY_TIMEOUT_MS = 10_000;

/**
 * The Kafka floor: the same two hops as a decision (request topic → responder → reply topic →
 * requester) with nothing else — no HTTP, validation, PostgreSQL or Redis. It uses the platform's
 * client settings (idempotent producer, acks=-1, one request in flight; the consumers' fetch wait,
 * FETCH_MAX_WAIT_MS unless a bench compares waits) and its keying (one key per agent), so the gap to
 * the platform is what the platform adds.
 */
export class KafkaFloor {
  private readonly waiter = new CorrelationWaiter<true>();
  private readonly consumers: RawTopicReader[] = [];
  private readonly publishers: EventPublisher[] = [];
  private requestPublisher?: EventPublisher;

  private constructor(
    private readonly stack: IsolatedStack,
    private readonly keyCount: number,
    private readonly fetchWaitMs: number,
  ) {}

  static async start(
    stack: IsolatedStack,
    keyCount: number,
    fetchWaitMs = FETCH_MAX_WAIT_MS,
  ): Promise<KafkaFloor> {
    const floor = new KafkaFloor(stack, keyCount, fetchWaitMs);
    try {
      await floor.createTopics();
      await floor.startResponder();
      await floor.startRequester();
    } catch (error) {
      await floor.stop();
      throw error;
    }
    return floor;
  }

  run(options: OpenLoopOptions, idOffset: number): Promise<OpenLoopResult<true>> {
    return runOpenLoop(options, (index) => this.pingPong(idOffset + index));
  }

  async stop(): Promise<void> {
    this.waiter.cancelAll();
    await Promise.all(this.consumers.map((c) => c.stop()));
    await Promise.all(this.publishers.map((p) => p.disconnect()));
  }

  private topic(base: string): string {
    return `${this.stack.topicPrefix}${base}`;
  }

  private async createTopics(): Promise<void> {
    const spec = (name: string): TopicSpec => benchTopicSpec(name, 'decision-latency benchmark floor');
    await ensureTopicsReady(this.stack.kafka, [spec(PING), spec(PONG)], this.stack.topicPrefix);
  }

  /** Each side has its own client and connections, as ingest and guardrail do. */
  private client(role: string): { kafka: KafkaClient; publisher: EventPublisher } {
    // Authenticated like the services (SCRAM, the same per-connection cost); as the admin, since
    // the floor's two topics are outside the services' ACLs.
    const kafka = localAdminKafka(this.stack.brokers, this.stack.topicPrefix, `agentops-bench-${role}`);
    const publisher = new EventPublisher(kafka, this.stack.topicPrefix, silentLogger);
    this.publishers.push(publisher);
    return { kafka, publisher };
  }

  /** Plays guardrail: reads a request, answers on the reply topic with the same key. */
  private async startResponder(): Promise<void> {
    const { kafka, publisher } = this.client('responder');
    await publisher.connect();
    await this.consume(kafka, 'responder', PING, async ({ key, value, headers }) => {
      await publisher.publishRaw(this.topic(PONG), [{ key, value, headers }]);
    });
  }

  /** Plays ingest's wake-up consumer: a reply releases the request waiting on its id. */
  private async startRequester(): Promise<void> {
    const { kafka, publisher } = this.client('requester');
    await publisher.connect();
    this.requestPublisher = publisher;
    await this.consume(kafka, 'requester', PONG, async ({ headers }) => {
      const id = headers[CORRELATION_HEADER];
      if (id) this.waiter.deliver(id, true);
    });
  }

  private async consume(
    kafka: KafkaClient,
    role: string,
    base: string,
    handle: (message: {
      key: string | null;
      value: Buffer | null;
      headers: Record<string, string>;
    }) => Promise<void>,
  ): Promise<void> {
    // Same consumer settings as EventConsumer on the decision path.
    // From the beginning: the topics are fresh, and "latest" could skip a request sent during the join.
    const reader = new RawTopicReader(kafka, {
      groupId: `${this.stack.topicPrefix}bench-${role}`,
      topics: [this.topic(base)],
      fromBeginning: true,
      maxWaitTimeInMs: this.fetchWaitMs,
      partitionsConsumedConcurrently: 6,
    });
    this.consumers.push(reader);
    await reader.start(async (records) => {
      for (const { key, value, headers } of records) await handle({ key, value, headers });
    });
  }

  private async pingPong(id: number): Promise<true> {
    const publisher = this.requestPublisher;
    if (!publisher) throw new Error('requester not started');
    const correlationId = String(id);
    // Registered before sending, as ingest does, so a fast reply cannot slip past.
    const reply = this.waiter.wait(correlationId, REPLY_TIMEOUT_MS);
    await publisher.publishRaw(this.topic(PING), [
      {
        key: `pricing-bench-${id % this.keyCount}`,
        // An intent-sized body, so the bytes on the wire are comparable.
        value: JSON.stringify(benchIntent(id)),
        headers: { [CORRELATION_HEADER]: correlationId },
      },
    ]);
    const result = await reply;
    if (result.kind === 'timeout') throw new Error(`no pong within ${REPLY_TIMEOUT_MS} ms`);
    return true;
  }
}
