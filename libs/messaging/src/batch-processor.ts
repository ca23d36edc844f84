import { EventEnvelope, MessageDeadLetteredV1 } from '@agentops/contracts';
import { withRetries } from '@agentops/retry';
import { KafkaHeaderValue, decodeTrustedEvent, headersToStrings } from './codec';
import type { DeadLetterRequest } from './dead-letter';
import {
  PartitionHold,
  PartitionHoldObserver,
  isDependencyOutage,
  pauseForOutage,
} from './dependency-outage';
import { BatchItemError, PermanentHandlerError, PoisonMessageError, PoisonReason } from './errors';
import { handlerBackoff } from './handler-backoff';
import type { MessageOrigin } from './message-origin';
import { MessagingLogger } from './logger';

/** One decoded, trusted event of a batch, with where it came from. */
export interface ConsumedEvent {
  event: EventEnvelope;
  origin: MessageOrigin;
}

/** What a batch handler may do besides its work: keep the group membership alive. */
export interface BatchContext {
  topic: string;
  baseTopic: string;
  partition: number;
  /** Cheap (throttled); call it inside a long loop. The consumer also beats while a handler runs. */
  heartbeat(): Promise<void>;
}

/**
 * Applies the effects of consecutive events of one partition, in offset order, and resolves only
 * once they are durable. Either all of `items` are applied, or it throws: a plain error means none
 * were (the chunk is retried whole, so its effects must be idempotent or transactional), a
 * `BatchItemError(index)` means exactly the items before `index` were and `items[index]` failed.
 */
export type BatchHandler = (items: ConsumedEvent[], context: BatchContext) => Promise<void>;

/** A message as the transport hands it over; the processor knows no client library. */
export interface RawPartitionMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, KafkaHeaderValue>;
  timestamp: string;
}

export interface BatchPolicy {
  /** Events handed to the handler at once, at most (a fetch is cut into chunks of this size). */
  maxChunkSize: number;
  /** Attempts per chunk (and per isolated message), as EventConsumer's `maxAttempts`. */
  maxAttempts: number;
  /** Backoff base: base·2^(attempt-1) with full jitter, capped at 5 s, as EventConsumer. */
  retryBaseDelayMs: number;
  /** Which poison messages this consumer dead-letters; the rest are logged by position and skipped. */
  deadLetterReasons: readonly PoisonReason[];
  /** Base topics on which this consumer dead-letters every refusal (it is their only group reader). */
  deadLetterAllOn?: readonly string[];
  /**
   * When a message keeps failing: `dead-letter` it (`retries_exhausted`, the partition moves on),
   * or `redeliver`: throw, leave its offset uncommitted, and let the next fetch start there again
   * (for consumers, like audit, where a skipped message is a gap in a record that must be whole).
   */
  onExhausted: 'dead-letter' | 'redeliver';
  /** How often to heartbeat while a handler runs (below the session timeout). */
  heartbeatIntervalMs: number;
  /** The wait between two rounds of attempts while a dependency is unavailable (OUTAGE_PAUSE_MS). */
  outagePauseMs?: number;
}

/** The transport side of one fetched partition batch. */
export interface PartitionBatchPort {
  /** The consumer group reading the partition (for what the observer reports). */
  groupId: string;
  topic: string;
  baseTopic: string;
  partition: number;
  messages: RawPartitionMessage[];
  /** Marks everything up to and including `offset` as done; committed by the transport later. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer stops or the partition was revoked: stop before the next chunk. */
  shouldContinue(): boolean;
  deadLetter(requests: DeadLetterRequest[]): Promise<void>;
}

export interface BatchProcessorObserver {
  onChunkHandled?(size: number, ms: number): void;
  onDeadLettered?(reason: string, topic: string): void;
  /** Messages the group is behind on a partition, after each fetch. */
  onLag?(groupId: string, topic: string, partition: number, lag: number): void;
  /** Seconds from an event's `time` to the end of its chunk (audit's: the append lag). */
  onEventAge?(topic: string, seconds: number): void;
  /** The partition held (or no longer held) while a dependency is unavailable. */
  onHold?: PartitionHoldObserver;
}

interface Decoded {
  kind: 'event';
  item: ConsumedEvent;
}
interface Refused {
  kind: 'poison';
  request: DeadLetterRequest;
  deadLetter: boolean;
}

/**
 * One partition's fetch, processed: decode and check every message (a refused one is dead-lettered
 * with its reason, the partition goes on), hand the valid ones to the handler in chunks, in offset
 * order, and resolve a chunk's last offset only after its effects and its dead letters are durable.
 * A failing chunk is retried per the policy; a plain failure that persists is narrowed down by
 * running the chunk's messages one at a time, so one bad message cannot hold back the others and
 * what was applied is never applied again out of order.
 */
export async function processPartitionBatch(
  port: PartitionBatchPort,
  handler: BatchHandler,
  policy: BatchPolicy,
  logger: MessagingLogger,
  observer: BatchProcessorObserver = {},
): Promise<void> {
  const context: BatchContext = {
    topic: port.topic,
    baseTopic: port.baseTopic,
    partition: port.partition,
    heartbeat: () => port.heartbeat(),
  };
  let chunk: ConsumedEvent[] = [];
  let refused: DeadLetterRequest[] = [];
  let lastOffset: string | undefined;
  const hold = new PartitionHold((since) =>
    observer.onHold?.(port.groupId, port.topic, port.partition, since),
  );

  const deadLetter = async (requests: DeadLetterRequest[]) => {
    if (!requests.length) return;
    for (const r of requests) {
      observer.onDeadLettered?.(r.reason, r.origin.baseTopic);
      logger.warn(
        {
          reason: r.reason,
          error: r.error,
          topic: r.origin.topic,
          partition: r.origin.partition,
          offset: r.origin.offset,
        },
        'message dead-lettered',
      );
    }
    await port.deadLetter(requests);
  };

  /** Runs `items` through the handler; returns once each is applied or dead-lettered. */
  const apply = async (items: ConsumedEvent[]): Promise<void> => {
    let pending = items;
    /** Whether a failure of `chunk` is worth another attempt of the same chunk. */
    const transient = (error: unknown, chunk: ConsumedEvent[]) => {
      const { cause, failedAt } = locate(error, chunk);
      // A prefix applied: not a retry of the same chunk but a new one, with its own attempts.
      return !isPermanent(cause) && !(failedAt !== undefined && failedAt > 0);
    };
    /** A failure the head of `pending` already had: counted as its first attempt, not called again. */
    let replay: BatchItemError | undefined;
    while (pending.length) {
      const chunk = pending;
      try {
        await withRetries(
          async () => {
            const seen = replay;
            replay = undefined;
            if (seen) throw seen;
            const started = performance.now();
            // kafkajs beats only when asked: a handler that runs for a while must not cost the assignment.
            const beating = setInterval(
              () => void port.heartbeat().catch(() => undefined),
              policy.heartbeatIntervalMs,
            );
            try {
              await handler(chunk, context);
            } finally {
              clearInterval(beating);
            }
            observer.onChunkHandled?.(chunk.length, performance.now() - started);
            hold.release();
          },
          {
            maxAttempts: policy.maxAttempts,
            schedule: handlerBackoff(policy.retryBaseDelayMs),
            // Shutting down or revoked: no more attempts, the next owner retries.
            retryOn: (error) => transient(error, chunk) && port.shouldContinue(),
            onRetry: (err, attempt) =>
              logger.warn(
                { err, topic: port.topic, partition: port.partition, size: chunk.length, attempt },
                'batch handler failed, retrying',
              ),
            beforeRetry: () => port.heartbeat(),
          },
        );
        return;
      } catch (error) {
        const located = locate(error, chunk);
        const { cause } = located;
        let { failedAt } = located;
        if (failedAt !== undefined && failedAt > 0) {
          // The prefix is applied: it is never handed over again.
          port.resolveOffset(chunk[failedAt - 1]!.origin.offset);
          pending = chunk.slice(failedAt);
          failedAt = 0;
          if (!isPermanent(cause)) {
            // The rest: a new chunk with its own attempts, of which its head has used one.
            replay = new BatchItemError(0, cause);
            continue;
          }
        }
        const permanent = isPermanent(cause);
        if (permanent && failedAt === undefined) {
          // Which one of them? One at a time tells, each with the full retry policy.
          for (const item of pending) await apply([item]);
          return;
        }
        if (permanent) {
          const item = pending[0]!;
          await deadLetter([
            rejected(
              item,
              cause instanceof PoisonMessageError ? cause.reason : 'handler_rejected',
              (cause as Error).message,
            ),
          ]);
          port.resolveOffset(item.origin.offset);
          pending = pending.slice(1);
          continue;
        }
        const err = cause as Error;
        if (!port.shouldContinue()) throw err; // shutting down or revoked: the next owner retries
        if (isDependencyOutage(cause)) {
          hold.hold();
          // Not the messages' fault: they wait (and the partition with them) until the store is back.
          logger.warn(
            { err, topic: port.topic, partition: port.partition, size: pending.length },
            'a dependency is unavailable; holding the chunk until it is back',
          );
          await pauseForOutage(policy.outagePauseMs);
          if (!port.shouldContinue()) throw err;
          await port.heartbeat();
          continue;
        }
        // Attempts exhausted.
        if (policy.onExhausted === 'redeliver') throw err;
        if (failedAt === undefined) {
          for (const item of pending) await apply([item]);
          return;
        }
        const item = pending[0]!;
        await deadLetter([rejected(item, 'retries_exhausted', `${err.name}: ${err.message}`)]);
        port.resolveOffset(item.origin.offset);
        pending = pending.slice(1);
      }
    }
  };

  const flush = async () => {
    if (lastOffset === undefined) return;
    if (chunk.length) await apply(chunk);
    // Refused messages of this chunk go out after the chunk's effects, before its offsets move.
    await deadLetter(refused);
    port.resolveOffset(lastOffset);
    await port.heartbeat();
    chunk = [];
    refused = [];
    lastOffset = undefined;
  };

  try {
    for (const message of port.messages) {
      if (!port.shouldContinue()) break;
      const decoded = decode(message, port, policy);
      if (decoded.kind === 'event') chunk.push(decoded.item);
      else if (decoded.deadLetter) refused.push(decoded.request);
      else
        logger.warn(
          {
            topic: port.topic,
            partition: port.partition,
            offset: message.offset,
            reason: decoded.request.reason,
          },
          'refused message skipped (dead-lettered by its owning consumer)',
        );
      lastOffset = message.offset;
      if (chunk.length + refused.length >= policy.maxChunkSize) await flush();
    }
    if (port.shouldContinue()) await flush();
  } finally {
    // Done, revoked or stopping mid-hold: the partition is not held by this fetch any more.
    hold.release();
  }
}

/** Which item of `chunk` a failure names (a `BatchItemError`, or the only one), and its cause. */
function locate(error: unknown, chunk: ConsumedEvent[]): { cause: unknown; failedAt?: number } {
  if (error instanceof BatchItemError)
    return { cause: error.cause, failedAt: Math.max(0, Math.min(error.index, chunk.length - 1)) };
  return { cause: error, failedAt: chunk.length === 1 ? 0 : undefined };
}

function isPermanent(error: unknown): boolean {
  return error instanceof PermanentHandlerError || error instanceof PoisonMessageError;
}

function decode(
  message: RawPartitionMessage,
  port: PartitionBatchPort,
  policy: BatchPolicy,
): Decoded | Refused {
  const origin: MessageOrigin = {
    topic: port.topic,
    baseTopic: port.baseTopic,
    partition: port.partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    timestamp: message.timestamp,
  };
  const headers = headersToStrings(message.headers);
  try {
    const item = { event: decodeTrustedEvent(headers, message.value, port.baseTopic), origin };
    rawOf.set(item, { headers, value: message.value });
    return { kind: 'event', item };
  } catch (error) {
    if (!(error instanceof PoisonMessageError)) throw error;
    return {
      kind: 'poison',
      request: { origin, headers, value: message.value, reason: error.reason, error: error.message },
      deadLetter:
        policy.deadLetterReasons.includes(error.reason) ||
        (policy.deadLetterAllOn ?? []).includes(port.baseTopic),
    };
  }
}

/** Each item's original bytes, so a message the handler rejects is dead-lettered whole. */
const rawOf = new WeakMap<ConsumedEvent, { headers: Record<string, string>; value: Buffer | null }>();

function rejected(
  item: ConsumedEvent,
  reason: MessageDeadLetteredV1['reason'],
  error: string,
): DeadLetterRequest {
  const raw = rawOf.get(item) ?? { headers: {}, value: null };
  return { origin: item.origin, headers: raw.headers, value: raw.value, reason, error };
}
