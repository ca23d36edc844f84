import { baseTopicName } from '@agentops/contracts';
import { Consumer, EachBatchPayload } from 'kafkajs';
import { BatchHandler, BatchPolicy, BatchProcessorObserver, processPartitionBatch } from './batch-processor';
import { CONSUMER_RETRY, CONSUMER_SESSION_TIMEOUT_MS, connectAndSubscribe } from './consumer-group';
import { publishDeadLetters } from './dead-letter';
import { PoisonReason } from './errors';
import { EventPublisher } from './event-publisher';
import { BATCHED_FETCH_MIN_BYTES, FETCH_MAX_WAIT_MS } from './fetch-wait';
import { KafkaClient, kafkaOf } from './kafka-client';
import { MessagingLogger } from './logger';
import { inChunkSpans } from './message-spans';

export interface BatchConsumerSettings {
  groupId: string;
  /** Base topic names (without prefix). */
  topics: string[];
  fromBeginning: boolean;
  /** Events per handler call, at most (default 500). */
  maxChunkSize?: number;
  /** Default FETCH_MAX_WAIT_MS, which costs no latency (see there). */
  maxWaitTimeInMs?: number;
  /**
   * Off the decision path: the broker holds a fetch until BATCHED_FETCH_MIN_BYTES have arrived or
   * FETCH_MAX_WAIT_MS passed (see there). Default false: answered as soon as one record arrives.
   */
  batchedFetch?: boolean;
  /** Bytes fetched per partition and request (default 1 MiB): bounds a fetch, hence a batch. */
  maxBytesPerPartition?: number;
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  partitionsConsumedConcurrently?: number;
  /** Default: every reason. A consumer reading topics that others own may leave those to them. */
  deadLetterReasons?: readonly PoisonReason[];
  /** Base topics where every refusal is dead-lettered whatever `deadLetterReasons` says. */
  deadLetterAllOn?: readonly string[];
  /** Default `dead-letter`; see BatchPolicy. */
  onExhausted?: BatchPolicy['onExhausted'];
}

const ALL_REASONS: readonly PoisonReason[] = [
  'malformed',
  'schema_violation',
  'unknown_type',
  'unauthorized_source',
];

/**
 * The batch twin of EventConsumer: kafkajs `eachBatch`, one partition's fetch at a time per
 * partition (partitions in parallel up to `partitionsConsumedConcurrently`), so order per key is the
 * order of the log. Offsets are resolved only after a chunk's effects (and its dead letters) are
 * durable, and committed from there; a crash mid-batch redelivers from the last resolved offset.
 * What a chunk does on failure, and which refused messages it dead-letters, is in
 * processPartitionBatch.
 */
export class BatchConsumer {
  private consumer?: Consumer;
  private running = false;
  private assigned = false;
  private readonly policy: BatchPolicy;

  constructor(
    private readonly client: KafkaClient,
    private readonly publisher: EventPublisher,
    private readonly topicPrefix: string,
    private readonly settings: BatchConsumerSettings,
    private readonly logger: MessagingLogger,
    private readonly source: string,
    private readonly observer: BatchProcessorObserver = {},
  ) {
    this.policy = {
      maxChunkSize: settings.maxChunkSize ?? 500,
      maxAttempts: settings.maxAttempts ?? 5,
      retryBaseDelayMs: settings.retryBaseDelayMs ?? 100,
      deadLetterReasons: settings.deadLetterReasons ?? ALL_REASONS,
      deadLetterAllOn: settings.deadLetterAllOn ?? [],
      onExhausted: settings.onExhausted ?? 'dead-letter',
      heartbeatIntervalMs: 1_000,
    };
  }

  get isReady(): boolean {
    return this.running && this.assigned;
  }

  async start(handler: BatchHandler): Promise<void> {
    const consumer = kafkaOf(this.client).consumer({
      groupId: this.settings.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs ?? FETCH_MAX_WAIT_MS,
      minBytes: this.settings.batchedFetch ? BATCHED_FETCH_MIN_BYTES : 1,
      sessionTimeout: this.settings.sessionTimeout ?? CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: this.policy.heartbeatIntervalMs,
      rebalanceTimeout: this.settings.rebalanceTimeout ?? CONSUMER_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: this.settings.maxBytesPerPartition ?? 1024 * 1024,
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    const { joined } = await connectAndSubscribe(
      consumer,
      { ...this.settings, topicPrefix: this.topicPrefix, label: 'batch consumer' },
      this.logger,
      () => (this.assigned = true),
      this.observer.onLag,
    );
    this.running = true;
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload, handler),
    });
    await joined;
  }

  private async onBatch(payload: EachBatchPayload, handler: BatchHandler): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    await processPartitionBatch(
      {
        groupId: this.settings.groupId,
        topic: batch.topic,
        baseTopic: baseTopicName(batch.topic, this.topicPrefix),
        partition: batch.partition,
        messages: batch.messages,
        resolveOffset,
        heartbeat,
        shouldContinue: () => this.running && isRunning() && !isStale(),
        // Acknowledged before the offsets move on.
        deadLetter: (requests) =>
          publishDeadLetters(this.publisher, this.topicPrefix, this.settings.groupId, this.source, requests),
      },
      // Each chunk inside the process spans of its events: what the handler logs and produces
      // carries their trace.
      (items, context) =>
        inChunkSpans(this.source, items, this.settings.groupId, async () => {
          await handler(items, context);
          const now = Date.now();
          for (const { event, origin } of items)
            this.observer.onEventAge?.(origin.baseTopic, Math.max(0, (now - Date.parse(event.time)) / 1000));
          this.logger.debug(
            { events: items.length, topic: batch.topic, partition: batch.partition },
            'chunk handled',
          );
        }),
      this.policy,
      this.logger,
      this.observer,
    );
    await commitOffsetsIfNecessary();
  }

  /** Graceful stop: the chunk in hand finishes, resolved offsets are committed, the group is left. */
  async stop(): Promise<void> {
    this.running = false;
    this.assigned = false;
    if (!this.consumer) return;
    try {
      await this.consumer.disconnect();
    } catch (error) {
      this.logger.warn({ err: error, groupId: this.settings.groupId }, 'batch consumer disconnect failed');
    }
  }
}
