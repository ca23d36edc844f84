import { logAddExp, logNormalCdf } from './normal';

/**
 * One-sided, always-valid test of "the effect exceeds θ₀" from a Gaussian score process.
 *
 * The data enter as the score S = Σ Iₛ·(dₛ − θ₀) and the information V = Σ Iₛ, summed over
 * strata s (periods of constant weights), where dₛ is a stratum's estimated effect and Iₛ the
 * inverse of its variance. Under the null S behaves like a Brownian motion in V, so for every
 * alternative θ > 0 the likelihood ratio exp(θS − θ²V/2) is a non-negative (super)martingale, and
 * so is any mixture of them over θ ≥ 0 (Robbins' method of mixtures; Howard et al. 2021,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences"). Ville's inequality then
 * bounds the chance that the mixture *ever* reaches 1/α by α: the test may be looked at after
 * every event without inflating the error (this is the mSPRT of Johari et al. / Optimizely and
 * the confidence sequences of GrowthBook, one-sided).
 *
 * The mixing distribution is two truncated normals over θ ≥ 0 (truncation keeps every component
 * a supermartingale for the whole composite null θ ≤ 0):
 *  - FOCUSED_WEIGHT on N(m, (m/2)²), centred on the minimum harm the rollout declares, so the
 *    test is sharpest where the rollout says it matters;
 *  - the rest on a broad half-normal N(0, (BROAD_SCALE·m)²), so a gross regression is caught in
 *    a few hundred intents instead of being shrunk towards m.
 */

export const FOCUSED_WEIGHT = 0.8;
export const BROAD_SCALE = 4;

export interface ScoreProcess {
  /** Σ Iₛ·dₛ: information-weighted effect, before subtracting any null value. */
  weightedEffect: number;
  /** Σ Iₛ. */
  information: number;
}

/** log of one truncated-normal mixture martingale N(m, η²) restricted to θ ≥ 0. */
export function logTruncatedNormalMixture(
  score: number,
  information: number,
  m: number,
  eta: number,
): number {
  const e2 = eta * eta;
  const a = information + 1 / e2;
  const b = score + m / e2;
  return (
    logNormalCdf(b / Math.sqrt(a)) -
    logNormalCdf(m / eta) +
    (b * b) / (2 * a) -
    (m * m) / (2 * e2) -
    0.5 * Math.log1p(e2 * information)
  );
}

/** log of the two-component mixture e-value at score S and information V, for centre m > 0. */
export function logEValue(score: number, information: number, m: number): number {
  if (information <= 0) return 0;
  return logAddExp(
    Math.log(FOCUSED_WEIGHT) + logTruncatedNormalMixture(score, information, m, m / 2),
    Math.log(1 - FOCUSED_WEIGHT) + logTruncatedNormalMixture(score, information, 0, BROAD_SCALE * m),
  );
}

export interface OneSidedResult {
  /** log of the e-value against "effect ≤ θ₀". */
  logE: number;
  /** log(1/α): the evidence needed. */
  logThreshold: number;
  /** The e-value crossed the threshold: the effect exceeds θ₀ (at level α, uniformly over time). */
  rejected: boolean;
  /** Point estimate Σ Iₛdₛ / Σ Iₛ. */
  estimate: number;
  /**
   * The smallest θ₀ the data cannot yet reject: a lower confidence bound on the effect that holds
   * at level α over all looks (a confidence sequence, obtained by inverting the tests).
   */
  lowerBound: number;
}

/**
 * Tests "effect ≤ θ₀" against "effect > θ₀" at level α, with the mixture centred `m` above θ₀.
 * `m` is in the same units as the effect and must be > 0.
 */
export function oneSidedTest(
  process: ScoreProcess,
  nullValue: number,
  m: number,
  alpha: number,
): OneSidedResult {
  const logThreshold = Math.log(1 / alpha);
  const { weightedEffect, information } = process;
  if (!(information > 0) || !(m > 0)) {
    return { logE: 0, logThreshold, rejected: false, estimate: NaN, lowerBound: -Infinity };
  }
  const estimate = weightedEffect / information;
  const score = weightedEffect - nullValue * information;
  const logE = logEValue(score, information, m);
  const critical = criticalScore(information, m, logThreshold);
  return {
    logE,
    logThreshold,
    rejected: logE >= logThreshold,
    estimate,
    lowerBound: (weightedEffect - critical) / information,
  };
}

/** d/dS of logTruncatedNormalMixture: the inverse Mills ratio term plus the quadratic term. */
function mixtureSlope(score: number, information: number, m: number, eta: number): number {
  const e2 = eta * eta;
  const a = information + 1 / e2;
  const x = (score + m / e2) / Math.sqrt(a);
  const mills = Math.exp(-0.5 * x * x - 0.5 * Math.log(2 * Math.PI) - logNormalCdf(x));
  return mills / Math.sqrt(a) + (score + m / e2) / a;
}

/**
 * The score at which the e-value reaches the threshold, for this information: Newton's method
 * on the (increasing, smooth) log e-value with its analytic slope, kept inside a bracket that
 * bisection falls back on, so it converges in a handful of steps and never diverges.
 */
export function criticalScore(information: number, m: number, logThreshold: number): number {
  const sd = Math.sqrt(information);
  let lo = -sd;
  let hi = sd;
  while (logEValue(hi, information, m) < logThreshold) {
    lo = hi;
    hi *= 2;
    if (hi > 1e12 * (sd + 1)) return Infinity;
  }
  const wf = Math.log(FOCUSED_WEIGHT);
  const wb = Math.log(1 - FOCUSED_WEIGHT);
  let x = hi;
  for (let i = 0; i < 100; i++) {
    const f1 = wf + logTruncatedNormalMixture(x, information, m, m / 2);
    const f2 = wb + logTruncatedNormalMixture(x, information, 0, BROAD_SCALE * m);
    const f = logAddExp(f1, f2);
    const gap = f - logThreshold;
    if (Math.abs(gap) < 1e-10) return x;
    if (gap > 0) hi = x;
    else lo = x;
    const p1 = Math.exp(f1 - f);
    const slope =
      p1 * mixtureSlope(x, information, m, m / 2) +
      (1 - p1) * mixtureSlope(x, information, 0, BROAD_SCALE * m);
    let next = x - gap / slope;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (hi - lo <= 1e-12 * sd) return hi;
    x = next;
  }
  return hi;
}
