import { chiSquareSurvival, logGamma } from './normal';
import { RolloutStats } from './rollout-stats';

/**
 * Sample-ratio mismatch: are the arms' decision counts what the weights promise? A mismatch means
 * assignment or counting is broken (an SDK ignoring the config, a variant that crashes before it
 * proposes, intents dropped for one arm), every comparison built on the counts is suspect, and
 * the rollout pauses for a human.
 *
 * Two statistics over the same counts, summed over strata (each stratum has its own weights):
 *  - Pearson's chi-square and its p-value (df = served arms − 1 per stratum), the familiar number
 *    GrowthBook and others show, with strata whose expected counts are all ≥ 5;
 *  - the always-valid version (Lindon & Malek 2022, "Anytime-valid inference for multinomial
 *    count data"): a Dirichlet-multinomial mixture over the arms' shares against the multinomial
 *    at the promised shares. Its e-value is a martingale under the null for any number of looks,
 *    exact at any sample size, so 1/e is a p-value that stays valid when checked after every batch.
 * The rollout pauses on the always-valid one: the chi-square p-value checked after every batch of
 * a 30 000-intent ramp crosses 0.001 in about 2.5 % of A/A rollouts (bench/rollout-analysis),
 * the sequential test in at most 0.1 % by construction.
 *
 * The counts are decided intents. When a unit (a SKU, a customer) produces many intents, intent
 * counts vary more than a multinomial; a service that counts first-seen units can check those.
 */
export interface SrmResult {
  /** Whether any stratum had two served arms with data. */
  checked: boolean;
  /** Chi-square over strata whose expected counts are all ≥ 5. */
  chiSquare: number;
  df: number;
  chiSquarePValue: number;
  /** log e-value of the sequential test, and the always-valid p-value min(1, 1/e). */
  logE: number;
  pValue: number;
  /** pValue below the rollout's threshold: pause. */
  mismatch: boolean;
  /** Per arm over all strata: observed decisions and the count the weights promise. */
  arms: Record<string, { observed: number; expected: number }>;
}

export const SRM_MIN_EXPECTED = 5;
/**
 * Concentration of the Dirichlet mixture: prior shares Dirichlet(c·w). With c = 1000 a 10 % arm's
 * prior share has a spread of about one point, the size of mismatch worth catching early.
 */
export const SRM_CONCENTRATION = 1000;

export function sampleRatioCheck(stats: RolloutStats, pThreshold: number): SrmResult {
  let chiSquare = 0;
  let df = 0;
  let logE = 0;
  let checked = false;
  const arms: SrmResult['arms'] = {};
  for (const s of stats.strata) {
    const served = Object.keys(s.arms).filter((a) => (s.weights[a] ?? 0) > 0);
    if (served.length < 2) continue;
    const totalWeight = served.reduce((t, a) => t + s.weights[a], 0);
    const shares = served.map((a) => s.weights[a] / totalWeight);
    const counts = served.map((a) => s.arms[a].decisions);
    const total = counts.reduce((t, c) => t + c, 0);
    if (total === 0) continue;
    checked = true;
    served.forEach((a, i) => {
      const row = (arms[a] ??= { observed: 0, expected: 0 });
      row.observed += counts[i];
      row.expected += total * shares[i];
    });
    logE += logDirichletMultinomialE(counts, shares);
    const expected = shares.map((p) => total * p);
    if (expected.every((e) => e >= SRM_MIN_EXPECTED)) {
      counts.forEach((o, i) => (chiSquare += ((o - expected[i]) * (o - expected[i])) / expected[i]));
      df += served.length - 1;
    }
  }
  const pValue = Math.min(1, Math.exp(-logE));
  return {
    checked,
    chiSquare,
    df,
    chiSquarePValue: df > 0 ? chiSquareSurvival(chiSquare, df) : 1,
    logE,
    pValue,
    mismatch: checked && pValue < pThreshold,
    arms,
  };
}

/** log of [Dirichlet-multinomial marginal of the counts] / [multinomial at the promised shares]. */
export function logDirichletMultinomialE(
  counts: number[],
  shares: number[],
  concentration = SRM_CONCENTRATION,
): number {
  const total = counts.reduce((t, c) => t + c, 0);
  let out = logGamma(concentration) - logGamma(concentration + total);
  counts.forEach((x, i) => {
    const a = concentration * shares[i];
    out += logGamma(a + x) - logGamma(a) - x * Math.log(shares[i]);
  });
  return out;
}
