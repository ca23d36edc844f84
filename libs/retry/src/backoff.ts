/**
 * How long to wait before each retry: exponential from `initialDelayMs`, at most `maxDelayMs`,
 * with jitter so that clients that failed together do not come back together.
 * - `full` (the default): anywhere in [0, d) — the spread AWS's "Exponential Backoff and Jitter"
 *   found best at draining a crowd of retrying clients;
 * - `equal`: in [d/2, d) — a floor, for retries whose earliest time is promised (a stored due time);
 * - `none`: exactly d, for callers that must be predictable (a test, a fixed protocol).
 */
export interface BackoffSchedule {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Growth per retry; 2 unless told. */
  factor?: number;
  jitter?: 'full' | 'equal' | 'none';
}

/** A uniform draw in [0, 1), as `Math.random`; injected by tests. */
export type RandomSource = () => number;

/** The ceiling before jitter of the `retry`-th retry (1-based): initial·factor^(retry-1), capped. */
export function backoffCeilingMs(retry: number, schedule: BackoffSchedule): number {
  const n = Math.max(1, Math.floor(retry));
  const grown = schedule.initialDelayMs * (schedule.factor ?? 2) ** (n - 1);
  return Math.max(0, Math.min(Number.isFinite(grown) ? grown : schedule.maxDelayMs, schedule.maxDelayMs));
}

/** The delay before the `retry`-th retry (1-based), in whole milliseconds. Pure but for `random`. */
export function backoffDelayMs(
  retry: number,
  schedule: BackoffSchedule,
  random: RandomSource = Math.random,
): number {
  const ceiling = backoffCeilingMs(retry, schedule);
  const draw = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  switch (schedule.jitter ?? 'full') {
    case 'none':
      return Math.round(ceiling);
    case 'equal':
      return Math.floor(ceiling / 2 + draw * (ceiling / 2));
    case 'full':
      return Math.floor(draw * ceiling);
  }
}
