import { normalQuantile } from './normal';

/**
 * A two-sided interval for one arm's mean that holds uniformly over time: the normal-mixture
 * confidence sequence of Howard et al. (2021, eq. 14), with the mixture tuned so the interval is
 * tightest at `tunedFor` observations (GrowthBook's "sequential tuning parameter"; we use the
 * step's or experiment's minimum sample per arm). `variance` is the per-observation variance.
 */
export function anytimeMeanInterval(
  mean: number,
  variance: number,
  n: number,
  alpha: number,
  tunedFor: number,
): [number, number] {
  if (!(n > 0) || !(variance >= 0)) return [-Infinity, Infinity];
  const logTerm = -2 * Math.log(alpha);
  const rho2 = (logTerm + Math.log(logTerm + 1)) / Math.max(1, tunedFor);
  const nr2 = n * rho2;
  const half =
    Math.sqrt(variance) * Math.sqrt(((2 * (nr2 + 1)) / (n * nr2)) * Math.log(Math.sqrt(nr2 + 1) / alpha));
  return [mean - half, mean + half];
}

/**
 * A fixed-level, distribution-free interval for a quantile from ranks (normal approximation of
 * the binomial order statistic): the ranks bracketing q·n ± z·√(n·q·(1 − q)). Shown beside p95;
 * the sequential decision uses the tail-share test, not this interval.
 */
export function quantileRankInterval(n: number, q: number, alpha: number): [number, number] {
  const z = normalQuantile(1 - alpha / 2);
  const sd = Math.sqrt(n * q * (1 - q));
  return [Math.max(1, Math.floor(n * q - z * sd)), Math.min(n, Math.ceil(n * q + z * sd))];
}
