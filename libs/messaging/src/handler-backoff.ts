import type { BackoffSchedule } from '@agentops/retry';

/**
 * The wait between two attempts of a failing handler (EventConsumer's and the batch processor's):
 * base·2^(n-1) with full jitter, at most 5 s, so consumers that failed together on one outage do
 * not come back together.
 */
export function handlerBackoff(baseDelayMs: number): BackoffSchedule {
  return { initialDelayMs: baseDelayMs, maxDelayMs: 5_000 };
}
