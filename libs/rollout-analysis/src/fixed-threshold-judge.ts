import { ArmStats } from './arm-stats';

/**
 * The rule Flagger and Argo Rollouts apply, kept for side-by-side comparison: every `interval`
 * the candidate's metric *of that interval alone* is compared with a fixed bound; a check that
 * breaks the bound (or has no data, as Flagger's "no values found") is a failed check, and the
 * canary is rolled back once `threshold` checks have failed (Flagger's `failedChecks`, which a
 * passing check does not reset). No comparison with the baseline, no notion of sample size: a
 * tight bound fires on noise, a loose one waits for large harm.
 */
export interface FixedThresholdRule {
  /** The metric of one interval's candidate accumulator, e.g. its deny rate. */
  metric: (interval: ArmStats) => number | undefined;
  /** Fail when the metric is above `max`. */
  max: number;
  /** Failed checks before rollback (Flagger's `analysis.threshold`). */
  threshold: number;
}

export interface FixedThresholdState {
  checks: number;
  failedChecks: number;
}

export interface FixedThresholdVerdict {
  state: FixedThresholdState;
  failed: boolean;
  value: number | undefined;
  rollback: boolean;
}

export function emptyFixedThresholdState(): FixedThresholdState {
  return { checks: 0, failedChecks: 0 };
}

/** Judges one finished interval. */
export function judgeInterval(
  state: FixedThresholdState,
  interval: ArmStats,
  rule: FixedThresholdRule,
): FixedThresholdVerdict {
  const value = rule.metric(interval);
  const failed = value === undefined || !Number.isFinite(value) || value > rule.max;
  const next = { checks: state.checks + 1, failedChecks: state.failedChecks + (failed ? 1 : 0) };
  return { state: next, failed, value, rollback: next.failedChecks >= rule.threshold };
}

/** The deny rate of one interval; undefined without decisions. */
export const intervalDenyRate = (a: ArmStats): number | undefined =>
  a.decisions ? a.denies / a.decisions : undefined;
