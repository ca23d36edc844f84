import type { FieldIssue } from '@agentops/contracts';

export type PoisonReason = 'malformed' | 'schema_violation' | 'unknown_type' | 'unauthorized_source';

/** A message that can never be processed as it is: it goes to the DLQ, the partition moves on. */
export class PoisonMessageError extends Error {
  constructor(
    readonly reason: PoisonReason,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/**
 * Thrown by a handler when retrying cannot help (the event contradicts the domain); anything else a
 * handler throws is treated as transient and retried before the message is dead-lettered.
 */
export class PermanentHandlerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentHandlerError';
  }
}

/**
 * Thrown by a batch handler whose items before `index` are applied and durable while `items[index]`
 * failed with `cause`; the consumer commits the prefix and retries (or dead-letters) from `index`.
 * Any other error from a batch handler means none of its items were applied.
 */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`batch item ${index} failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'BatchItemError';
  }
}
