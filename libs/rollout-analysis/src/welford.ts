/**
 * Count, mean and sum of squared deviations of a stream (Welford), mergeable by Chan et al.'s
 * pairwise formula, so partial accumulators from several instances or restarts combine into the
 * same moments as one pass over all the data (up to floating-point rounding).
 */
export interface Moments {
  n: number;
  mean: number;
  /** Σ (x − mean)². */
  m2: number;
}

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0 };
}

/** Adds one observation in place. */
export function addObservation(m: Moments, x: number): void {
  m.n += 1;
  const delta = x - m.mean;
  m.mean += delta / m.n;
  m.m2 += delta * (x - m.mean);
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

/** Unbiased sample variance; 0 below two observations. */
export function sampleVariance(m: Moments): number {
  return m.n > 1 ? Math.max(0, m.m2 / (m.n - 1)) : 0;
}
