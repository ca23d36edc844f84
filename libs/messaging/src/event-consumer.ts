import { EventEnvelope, MessageDeadLetteredV1, baseTopicName } from '@agentops/contracts';
import { withRetries } from '@agentops/retry';
import { Consumer, EachMessagePayload } from 'kafkajs';
import { decodeTrustedEvent, headersToStrings } from './codec';
import {
  CONSUMER_RETRY,
  CONSUMER_SESSION_TIMEOUT_MS,
  ConsumerLagObserver,
  connectAndSubscribe,
} from './consumer-group';
import type { MessageOrigin } from './message-origin';
import { publishDeadLetters } from './dead-letter';
import {
  PartitionHold,
  PartitionHoldObserver,
  isDependencyOutage,
  pauseForOutage,
} from './dependency-outage';
import { PermanentHandlerError, PoisonMessageError } from './errors';
import { EventPublisher } from './event-publisher';
import { BATCHED_FETCH_MIN_BYTES, FETCH_MAX_WAIT_MS } from './fetch-wait';
import { handlerBackoff } from './handler-backoff';
import { KafkaClient, kafkaOf } from './kafka-client';
import { MessagingLogger } from './logger';
import { endSpan, markDeadLettered, startConsumerSpan, withSpan } from './message-spans';

export type { MessageOrigin } from './message-origin';
export type { PartitionHoldObserver } from './dependency-outage';

export type EventHandler = (event: EventEnvelope, origin: MessageOrigin) => Promise<void>;

export interface ConsumerSettings {
  groupId: string;
  /** Base topic names (without prefix). */
  topics: string[];
  fromBeginning: boolean;
  /** Default FETCH_MAX_WAIT_MS, which costs no latency (see there). */
  maxWaitTimeInMs?: number;
  /**
   * Off the decision path: the broker holds a fetch until BATCHED_FETCH_MIN_BYTES have arrived or
   * FETCH_MAX_WAIT_MS passed (see there). Default false: answered as soon as one record arrives.
   */
  batchedFetch?: boolean;
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  sessionTimeout?: number;
  partitionsConsumedConcurrently?: number;
  /** The DLQ must never be dead-lettered into itself. */
  deadLetterTopics?: boolean;
}

export interface ConsumerObserver {
  onHandled?(type: string, ms: number): void;
  onDeadLettered?(reason: string, topic: string): void;
  /** Messages the group is behind on a partition, after each fetch. */
  onLag?: ConsumerLagObserver;
  /** Seconds from an event's `time` to the end of its handling (audit's: the append lag). */
  onEventAge?(topic: string, seconds: number): void;
  /** A partition held (or no longer held) while a dependency is unavailable. */
  onHold?: PartitionHoldObserver;
}

/**
 * Consumer loop with per-message error handling: decode and validate, run the handler with bounded
 * retries, and send what cannot be processed to the DLQ with its reason and origin, so a poison
 * message never stalls its partition. Delivery is at-least-once; handlers are idempotent on keys of
 * their own (see "Idempotent handlers" in docs/architecture-notes.md).
 */
export class EventConsumer {
  private consumer?: Consumer;
  private running = false;
  private assigned = false;
  private readonly groupId: string;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly publisher: EventPublisher,
    private readonly topicPrefix: string,
    private readonly settings: ConsumerSettings,
    private readonly logger: MessagingLogger,
    private readonly source: string,
    private readonly observer: ConsumerObserver = {},
  ) {
    this.groupId = settings.groupId;
  }

  /** Ready = joined the group and holds an assignment (or the group has no partition for us). */
  get isReady(): boolean {
    return this.running && this.assigned;
  }

  async start(handler: EventHandler): Promise<void> {
    const consumer = kafkaOf(this.kafka).consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.settings.maxWaitTimeInMs ?? FETCH_MAX_WAIT_MS,
      minBytes: this.settings.batchedFetch ? BATCHED_FETCH_MIN_BYTES : 1,
      sessionTimeout: this.settings.sessionTimeout ?? CONSUMER_SESSION_TIMEOUT_MS,
      heartbeatInterval: 1_000,
      rebalanceTimeout: CONSUMER_SESSION_TIMEOUT_MS,
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    const { joined } = await connectAndSubscribe(
      consumer,
      { ...this.settings, groupId: this.groupId, topicPrefix: this.topicPrefix, label: 'consumer' },
      this.logger,
      () => (this.assigned = true),
      this.observer.onLag,
    );
    this.running = true;
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently ?? 1,
      eachMessage: (payload) => this.handleOne(payload, handler),
    });
    await joined;
  }

  private async handleOne(payload: EachMessagePayload, handler: EventHandler): Promise<void> {
    const { topic, partition, message, heartbeat } = payload;
    const origin: MessageOrigin = {
      topic,
      baseTopic: baseTopicName(topic, this.topicPrefix),
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString('utf8') : null,
      timestamp: message.timestamp,
    };
    const headers = headersToStrings(message.headers as never);
    let event: EventEnvelope;
    try {
      event = decodeTrustedEvent(headers, message.value, origin.baseTopic);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        await this.deadLetter(origin, headers, message.value, error.reason, error.message);
        return;
      }
      throw error;
    }

    // One process span per message, across its attempts; the handler (and a dead letter) runs in it.
    const { span, context } = startConsumerSpan(this.source, event, origin, this.groupId);
    const hold = new PartitionHold((since) =>
      this.observer.onHold?.(this.groupId, origin.topic, origin.partition, since),
    );
    let failure: unknown;
    try {
      await withSpan(context, () =>
        this.process(event, origin, headers, message.value, handler, heartbeat, hold),
      );
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // Handled, dead-lettered or left for the next owner: the partition is not held any more.
      hold.release();
      endSpan(span, failure);
    }
  }

  private async process(
    event: EventEnvelope,
    origin: MessageOrigin,
    headers: Record<string, string>,
    value: Buffer | null,
    handler: EventHandler,
    heartbeat: () => Promise<void>,
    hold: PartitionHold,
  ): Promise<void> {
    for (;;) {
      try {
        await this.attempt(event, origin, handler, heartbeat);
        return;
      } catch (error) {
        if (isPermanent(error) || !isDependencyOutage(error) || !this.running) {
          await this.settleFailure(error, origin, headers, value);
          return;
        }
        // Not the message's fault: it waits (and its partition with it) until the store is back.
        hold.hold();
        this.logger.warn(
          {
            err: error,
            eventId: event.id,
            type: event.type,
            topic: origin.topic,
            partition: origin.partition,
          },
          'a dependency is unavailable; holding the message until it is back',
        );
        await pauseForOutage();
        if (!this.running) throw error; // shutting down: leave uncommitted, the next owner retries
        await heartbeat();
      }
    }
  }

  private async attempt(
    event: EventEnvelope,
    origin: MessageOrigin,
    handler: EventHandler,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    await withRetries(
      async () => {
        const started = performance.now();
        await handler(event, origin);
        const ms = performance.now() - started;
        this.observer.onHandled?.(event.type, ms);
        this.observer.onEventAge?.(origin.baseTopic, ageSeconds(event.time));
        // Inside the process span: the line carries the trace it belongs to.
        this.logger.debug(
          { eventId: event.id, type: event.type, topic: origin.baseTopic, ms },
          'event handled',
        );
      },
      {
        maxAttempts: this.settings.maxAttempts ?? 5,
        schedule: handlerBackoff(this.settings.retryBaseDelayMs ?? 100),
        // Shutting down: no more attempts; the message stays uncommitted for the next owner.
        retryOn: (error) => !isPermanent(error) && this.running,
        onRetry: (err, retry) =>
          this.logger.warn(
            { err, eventId: event.id, type: event.type, attempt: retry },
            'handler failed, retrying',
          ),
        beforeRetry: heartbeat,
      },
    );
  }

  /** A failure no retry will mend: permanent, or transient with the attempts used up. */
  private async settleFailure(
    error: unknown,
    origin: MessageOrigin,
    headers: Record<string, string>,
    value: Buffer | null,
  ): Promise<void> {
    const err = error as Error;
    if (isPermanent(error)) {
      await this.deadLetter(
        origin,
        headers,
        value,
        error instanceof PoisonMessageError ? error.reason : 'handler_rejected',
        err.message,
      );
      return;
    }
    if (!this.running) throw err; // shutting down: leave uncommitted, the next owner retries
    await this.deadLetter(origin, headers, value, 'retries_exhausted', `${err.name}: ${err.message}`);
  }

  private async deadLetter(
    origin: MessageOrigin,
    headers: Record<string, string>,
    value: Buffer | null,
    reason: MessageDeadLetteredV1['reason'],
    error: string,
  ): Promise<void> {
    this.observer.onDeadLettered?.(reason, origin.baseTopic);
    markDeadLettered(reason);
    this.logger.warn(
      { reason, error, topic: origin.topic, partition: origin.partition, offset: origin.offset },
      'message dead-lettered',
    );
    // Acknowledged before the offset moves on.
    await publishDeadLetters(this.publisher, this.topicPrefix, this.groupId, this.source, [
      { origin, headers, value, reason, error },
    ]);
  }

  /** Graceful stop: finish the message in hand, commit, leave the group. */
  async stop(): Promise<void> {
    this.running = false;
    this.assigned = false;
    if (!this.consumer) return;
    try {
      await this.consumer.disconnect();
    } catch (error) {
      this.logger.warn({ err: error, groupId: this.groupId }, 'consumer disconnect failed');
    }
  }
}

export function ageSeconds(time: string): number {
  return Math.max(0, (Date.now() - Date.parse(time)) / 1000);
}

function isPermanent(error: unknown): error is PermanentHandlerError | PoisonMessageError {
  return error instanceof PermanentHandlerError || error instanceof PoisonMessageError;
}
