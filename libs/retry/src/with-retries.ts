import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import { BackoffSchedule, RandomSource, backoffDelayMs } from './backoff';

export interface RetryOptions {
  /** Calls in all, the first included (1 = no retry). */
  maxAttempts: number;
  schedule: BackoffSchedule;
  /** Whether this failure is worth another attempt (transient); every error unless told. */
  retryOn?: (error: unknown) => boolean;
  /**
   * The least wait this failure asks for, in ms (a server's Retry-After): the delay is the larger
   * of it and the schedule's.
   */
  minDelayMsOf?: (error: unknown) => number | undefined;
  /** Told before each wait: the failure, the retry about to come (1-based) and the wait. */
  onRetry?: (error: unknown, retry: number, delayMs: number) => void;
  /**
   * Runs after each wait, before the retry (a Kafka heartbeat). Its failure ends the retries and
   * is thrown as it is, never retried.
   */
  beforeRetry?: () => Promise<void>;
  /** Stops retrying when aborted; the last failure is thrown. */
  signal?: AbortSignal;
  random?: RandomSource;
}

/** Carries a `beforeRetry` failure past the retry policy. */
class BeforeRetryFailed {
  constructor(readonly error: unknown) {}
}

/**
 * Runs `operation` until it succeeds, it fails in a way `retryOn` refuses, or `maxAttempts` calls
 * have failed; then throws the last failure unchanged, so callers classify it as before. The one
 * retry policy of the platform (cockatiel's retry underneath), so every retry has jitter and a cap.
 */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const retryOn = options.retryOn ?? (() => true);
  const policy = retry(
    handleWhen((error) => !(error instanceof BeforeRetryFailed) && retryOn(error)),
    {
      maxAttempts: Math.max(0, Math.floor(options.maxAttempts) - 1),
      backoff: new DelegateBackoff<{ attempt: number; result: { error: unknown } | { value: unknown } }>(
        (context) => {
          const failure = 'error' in context.result ? context.result.error : undefined;
          return Math.max(
            backoffDelayMs(context.attempt, options.schedule, options.random),
            options.minDelayMsOf?.(failure) ?? 0,
          );
        },
      ),
    },
  );
  const listener = policy.onRetry((event) => {
    if ('error' in event) options.onRetry?.(event.error, event.attempt, event.delay);
  });
  try {
    return await policy.execute(async ({ attempt }) => {
      if (attempt > 0 && options.beforeRetry) {
        try {
          await options.beforeRetry();
        } catch (error) {
          throw new BeforeRetryFailed(error);
        }
      }
      return operation(attempt + 1);
    }, options.signal);
  } catch (error) {
    throw error instanceof BeforeRetryFailed ? error.error : error;
  } finally {
    listener.dispose();
  }
}
