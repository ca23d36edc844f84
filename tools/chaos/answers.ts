/**
 * What the agents were told during a scenario, and when they were told the truth again, counted
 * without I/O from the load's samples.
 */
export type AnswerKind =
  /** HTTP 2xx and a decision that is not fail-closed (any verdict). */
  | 'decided'
  /** HTTP 2xx, but deny by `timeout`: nothing decided within the wait. */
  | 'fail_closed'
  /** No 2xx at all (connection refused, 5xx after the SDK's retries): the SDK fails closed. */
  | 'unreachable'
  /** A 4xx (a refusal, 429 after the SDK's retries). */
  | 'refused';

export interface AnswerSample {
  /** When the agent proposed (epoch ms). */
  sentAtMs: number;
  latencyMs: number;
  kind: AnswerKind;
  /** Present when the platform accepted the intent (HTTP 2xx). */
  intentId?: string;
}

/** An answer as an agent would want it: decided, and within the latency an agent waits for. */
export function isHealthy(sample: AnswerSample, latencyLimitMs: number): boolean {
  return sample.kind === 'decided' && sample.latencyMs <= latencyLimitMs;
}

export function isFailClosed(sample: AnswerSample): boolean {
  return sample.kind === 'fail_closed' || sample.kind === 'unreachable';
}

export function acceptedIntentIds(samples: AnswerSample[]): string[] {
  return samples.flatMap((s) => (s.intentId ? [s.intentId] : []));
}

/**
 * Seconds from the end of the fault until agents were answered healthily again: the proposal time
 * of the first healthy answer after the last unhealthy one, less the fault's end (0 if every
 * proposal after the end was answered healthily). `null` when the last answers were still unhealthy: not recovered.
 */
export function recoverySeconds(
  samples: AnswerSample[],
  faultEndMs: number,
  latencyLimitMs: number,
): number | null {
  const ordered = [...samples].sort((a, b) => a.sentAtMs - b.sentAtMs);
  let lastUnhealthy = -1;
  ordered.forEach((s, i) => {
    if (!isHealthy(s, latencyLimitMs)) lastUnhealthy = i;
  });
  if (lastUnhealthy === -1 || ordered[lastUnhealthy].sentAtMs <= faultEndMs) return 0;
  const recovered = ordered[lastUnhealthy + 1];
  if (!recovered) return null;
  return Math.max(0, recovered.sentAtMs - faultEndMs) / 1000;
}

/**
 * Fail-closed answers to proposals whose wait lay wholly outside the fault's window (from its start
 * until recovery): the platform must fail closed only while something is broken. A proposal sent
 * just before the fault and still waiting when it began is inside: the kill took its decision.
 */
export function failClosedOutside(
  samples: AnswerSample[],
  window: { startMs: number; endMs: number; recoverySeconds: number | null },
): number {
  const until = window.recoverySeconds === null ? Infinity : window.endMs + window.recoverySeconds * 1000;
  return samples.filter(
    (s) => isFailClosed(s) && (s.sentAtMs + s.latencyMs < window.startMs || s.sentAtMs > until),
  ).length;
}

export function countKinds(samples: AnswerSample[]): Record<AnswerKind, number> {
  const counts: Record<AnswerKind, number> = { decided: 0, fail_closed: 0, unreachable: 0, refused: 0 };
  for (const s of samples) counts[s.kind]++;
  return counts;
}
