/**
 * The statistics the access detectors share. Everything is a plain JSON-able object so the state
 * survives a snapshot; every update is O(1) except the robust window's median (O(K log K), once
 * per closed bucket).
 */

/**
 * Per-intent mean and variance of a count (records, distinct customers, reads), learned by an
 * exponentially weighted average in which every intent weighs the same: a bucket with `n` intents
 * moves the estimate as much as `n` single-intent buckets would. Until `1/alpha` intents are seen
 * the average is cumulative (no start-up bias towards the first bucket).
 */
export interface RatioBaseline {
  mean: number;
  variance: number;
  /** Intents learned from (saturates in effect at 1/alpha). */
  intents: number;
}

export const emptyRatioBaseline = (): RatioBaseline => ({ mean: 0, variance: 0, intents: 0 });

/** Learns from one bucket with `total` over `intents` intents (intents ≥ 1). */
export function learnRatio(b: RatioBaseline, total: number, intents: number, alpha: number): void {
  if (intents <= 0) return;
  const weight = Math.max(1 - (1 - alpha) ** intents, intents / (b.intents + intents));
  const rate = total / intents;
  const residual2 = (total - intents * b.mean) ** 2 / intents;
  if (b.intents === 0) {
    b.mean = rate;
    b.variance = 0;
  } else {
    b.variance += weight * (residual2 - b.variance);
    b.mean += weight * (rate - b.mean);
  }
  b.intents += intents;
}

/**
 * The per-intent variance used for tests: never below the mean (a Poisson count) nor below 1, so
 * a feature that was constant while learning (exactly one customer per intent) still has a scale.
 */
export function effectiveVariance(b: RatioBaseline): number {
  return Math.max(b.variance, b.mean, 1);
}

/** Standardised excess of `total` over `intents` intents: (total − n·μ) / √(n·σ²). */
export function ratioZ(b: RatioBaseline, total: number, intents: number): number {
  const n = Math.max(intents, 1);
  return (total - n * b.mean) / Math.sqrt(n * effectiveVariance(b));
}

/** Pooling two baselines (instances, partitions): intent-weighted means, pooled variances. */
export function mergeRatio(a: RatioBaseline, b: RatioBaseline): RatioBaseline {
  const n = a.intents + b.intents;
  if (n === 0) return emptyRatioBaseline();
  const mean = (a.mean * a.intents + b.mean * b.intents) / n;
  const variance =
    (a.intents * (a.variance + (a.mean - mean) ** 2) + b.intents * (b.variance + (b.mean - mean) ** 2)) / n;
  return { mean, variance, intents: n };
}

/**
 * One-sided CUSUM (Page 1954) on per-intent standardised excess: `s ← max(0, s + Σ(xᵢ − μ)/σ − k·n)`.
 * With `k` half the shift it should catch (in σ), it accumulates a persistent small excess that no
 * single bucket shows, which is what a slow leak is.
 */
export function cusumStep(s: number, b: RatioBaseline, total: number, intents: number, k: number): number {
  const n = Math.max(intents, 1);
  return Math.max(0, s + (total - n * b.mean) / Math.sqrt(effectiveVariance(b)) - k * n);
}

/** The last `size` values of a feature, for a median/MAD (robust) z-score. */
export interface RobustWindow {
  values: number[];
  /** Next slot to overwrite once full. */
  next: number;
}

export const emptyRobustWindow = (): RobustWindow => ({ values: [], next: 0 });

export function pushRobust(w: RobustWindow, value: number, size: number): void {
  if (w.values.length < size) w.values.push(value);
  else {
    w.values[w.next % size] = value;
    w.next = (w.next + 1) % size;
  }
}

export interface RobustSummary {
  median: number;
  /** 1.4826 × MAD: the standard deviation for normal data, unmoved by a few outliers. */
  scale: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function robustSummary(w: RobustWindow): RobustSummary {
  const m = median(w.values);
  return { median: m, scale: 1.4826 * median(w.values.map((v) => Math.abs(v - m))) };
}

/** (x − median) / (1.4826·MAD), with the scale floored so a constant history does not divide by 0. */
export function robustZ(summary: RobustSummary, value: number, minScale: number): number {
  return (value - summary.median) / Math.max(summary.scale, minScale);
}
