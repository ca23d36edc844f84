import { ArmStats } from './arm-stats';
import { EffectAmount, KPIS, KpiName } from './kpis';
import {
  LatencyCounts,
  addLatencyCounts,
  bucketLowerEdge,
  bucketOfRank,
  countFromBucket,
  emptyLatencyCounts,
  firstBucketAtOrAbove,
  latencyQuantile,
  latencyTotal,
} from './latency-histogram';
import { ScoreProcess } from './mixture-test';
import { KpiRule } from './rollout-spec';
import { RolloutStats } from './rollout-stats';
import { Moments, emptyMoments, mergeMoments, sampleVariance } from './welford';

/**
 * Turns a KPI's accumulators for an arm and a reference arm into the score process the
 * sequential test reads, oriented so that a positive effect means "the arm is worse".
 *
 *  - Rates are compared on the variance-stabilised scale h = asin √((x + 3/8)/(n + 3/4))
 *    (Anscombe): its variance 1/(4n + 2) is known without estimating it, and its sampling
 *    distribution is far less skewed than a raw proportion's, which matters for a small canary
 *    arm with a rare event. A plug-in (Wald) variance there is either too optimistic (pooled: its
 *    heavy right tail broke the A/A guarantee in our simulations) or needlessly pessimistic
 *    (unpooled: valid, but ~20 % more intents to detect the same harm).
 *  - Means (cost, tokens, business value) use the difference of means with plug-in variances.
 *  - p95 latency is compared through the share of decisions slower than the reference arm's
 *    p95 (snapped up to a histogram edge): equal distributions have equal shares at any fixed
 *    threshold, so it becomes a rate comparison; the tolerance moves the arm's threshold
 *    ((1 + tol) × the reference p95), and the "harm to catch" is the share the reference arm
 *    would have if its latencies were scaled by (1 + minimumEffect).
 * Each stratum contributes its own difference, weighted by its information, once both arms have
 * MIN_PER_ARM observations in it.
 */
export const MIN_PER_ARM = 30;
/** The reference arm's latency histogram must hold this many decisions before p95 is defined. */
export const MIN_LATENCY_REFERENCE = 100;

export type ContrastScale = 'arcsine' | 'mean' | 'tail-share';

export interface KpiContrast {
  scale: ContrastScale;
  process: ScoreProcess;
  /** The tolerance on the test scale: the null is "effect ≤ nullValue". */
  nullValue: number;
  /** The harm beyond the tolerance the mixture is centred on, on the test scale (> 0). */
  focus: number;
  /** The KPI of each arm over all strata, in its natural unit (share, mean, p95 ms). */
  armValue: number;
  referenceValue: number;
  /** Observations behind the KPI (denominators; decisions with a latency). */
  armObservations: number;
  referenceObservations: number;
  /** Strata that had enough data in both arms. */
  strataUsed: number;
  /** Converts an effect on the test scale to the natural scale (shares in points, means in units). */
  toNatural(effect: number): number;
  /** For latency: the thresholds the shares were counted above (ms). */
  thresholds?: { arm: number; reference: number };
}

const RATES: Partial<Record<KpiName, (a: ArmStats) => [number, number]>> = {
  deny_rate: (a) => [a.denies, a.decisions],
  escalation_rate: (a) => [a.escalations, a.decisions],
  human_rejection_rate: (a) => [a.humanRejections, a.humanResolutions],
  verification_violation_rate: (a) => [a.violations, a.verifications],
  fail_closed_rate: (a) => [a.failClosed, a.decisions],
  halt_rate: (a) => [a.halts, a.decisions],
};

/** Events and denominator of a rate KPI in one arm's accumulator. */
export function rateCounts(kpi: KpiName, arm: ArmStats): [number, number] {
  const f = RATES[kpi];
  if (!f) throw new Error(`${kpi} is not a rate KPI`);
  return f(arm);
}

/** The moments of a mean KPI in one arm's accumulator. */
export function meanMoments(rule: Pick<KpiRule, 'kpi' | 'path'>, arm: ArmStats): Moments {
  if (rule.kpi === 'cost_per_intent') return arm.cost;
  if (rule.kpi === 'tokens_per_intent') return arm.tokens;
  if (rule.kpi === 'business_value') return arm.value[rule.path ?? ''] ?? emptyMoments();
  throw new Error(`${rule.kpi} is not a mean KPI`);
}

/** How many observations an arm has for this KPI (the decisions, escalations, outcomes it counts). */
export function observationsOf(rule: Pick<KpiRule, 'kpi' | 'path'>, arm: ArmStats): number {
  switch (KPIS[rule.kpi].kind) {
    case 'rate':
      return rateCounts(rule.kpi, arm)[1];
    case 'mean':
      return meanMoments(rule, arm).n;
    case 'latency':
      return latencyTotal(arm.latency);
  }
}

const anscombe = (x: number, n: number) => Math.asin(Math.sqrt((x + 0.375) / (n + 0.75)));
const angle = (p: number) => Math.asin(Math.sqrt(Math.min(1, Math.max(0, p))));
const fromAngle = (h: number) => Math.sin(Math.min(Math.PI / 2, Math.max(0, h))) ** 2;
const amountIn = (a: EffectAmount, base: number) =>
  'absolute' in a ? a.absolute : a.relative * Math.abs(base);
const MIN_FOCUS = 1e-6;

/** The contrast of `rule` between `arm` and `reference` over every stratum both are served in. */
export function kpiContrast(rule: KpiRule, stats: RolloutStats, arm: string, reference: string): KpiContrast {
  switch (KPIS[rule.kpi].kind) {
    case 'rate':
      return rateContrast(rule, stats, arm, reference);
    case 'mean':
      return meanContrast(rule, stats, arm, reference);
    case 'latency':
      return latencyContrast(rule, stats, arm, reference);
  }
}

function pairs(stats: RolloutStats, arm: string, reference: string): [ArmStats, ArmStats][] {
  const out: [ArmStats, ArmStats][] = [];
  for (const s of stats.strata) {
    const a = s.arms[arm];
    const r = s.arms[reference];
    if (a && r) out.push([a, r]);
  }
  return out;
}

/** Sums the arcsine differences of strata; `sign` = +1 when an increase is harm. */
function arcsineProcess(
  counts: [number, number, number, number][],
  sign: number,
): { process: ScoreProcess; strataUsed: number } {
  let weightedEffect = 0;
  let information = 0;
  let strataUsed = 0;
  for (const [xa, na, xr, nr] of counts) {
    if (na < MIN_PER_ARM || nr < MIN_PER_ARM) continue;
    const info = 1 / (1 / (4 * na + 2) + 1 / (4 * nr + 2));
    weightedEffect += info * sign * (anscombe(xa, na) - anscombe(xr, nr));
    information += info;
    strataUsed += 1;
  }
  return { process: { weightedEffect, information }, strataUsed };
}

function rateContrast(rule: KpiRule, stats: RolloutStats, arm: string, reference: string): KpiContrast {
  const sign = rule.harm === 'increase' ? 1 : -1;
  const counts: [number, number, number, number][] = [];
  let xaTotal = 0;
  let naTotal = 0;
  let xrTotal = 0;
  let nrTotal = 0;
  for (const [a, r] of pairs(stats, arm, reference)) {
    const [xa, na] = rateCounts(rule.kpi, a);
    const [xr, nr] = rateCounts(rule.kpi, r);
    counts.push([xa, na, xr, nr]);
    xaTotal += xa;
    naTotal += na;
    xrTotal += xr;
    nrTotal += nr;
  }
  const { process, strataUsed } = arcsineProcess(counts, sign);
  // The reference rate converts the tolerance and the minimum effect (stated as shares) to angles.
  const pRef = (xrTotal + 0.5) / (nrTotal + 1);
  const tol = amountIn(rule.tolerance, pRef);
  const p0 = Math.min(1, Math.max(0, pRef + sign * tol));
  const p1 = Math.min(1, Math.max(0, p0 + sign * amountIn(rule.minimumEffect, pRef)));
  const nullValue = sign * (angle(p0) - angle(pRef));
  const focus = Math.max(MIN_FOCUS, Math.abs(angle(p1) - angle(p0)));
  return {
    scale: 'arcsine',
    process,
    nullValue,
    focus,
    armValue: naTotal ? xaTotal / naTotal : NaN,
    referenceValue: nrTotal ? xrTotal / nrTotal : NaN,
    armObservations: naTotal,
    referenceObservations: nrTotal,
    strataUsed,
    toNatural: (effect) =>
      Number.isFinite(effect) ? sign * (fromAngle(angle(pRef) + sign * effect) - pRef) : effect,
  };
}

function meanContrast(rule: KpiRule, stats: RolloutStats, arm: string, reference: string): KpiContrast {
  const sign = rule.harm === 'increase' ? 1 : -1;
  let weightedEffect = 0;
  let information = 0;
  let strataUsed = 0;
  let aTotal = emptyMoments();
  let rTotal = emptyMoments();
  for (const [a, r] of pairs(stats, arm, reference)) {
    const ma = meanMoments(rule, a);
    const mr = meanMoments(rule, r);
    aTotal = mergeMoments(aTotal, ma);
    rTotal = mergeMoments(rTotal, mr);
    if (ma.n < MIN_PER_ARM || mr.n < MIN_PER_ARM) continue;
    const variance = sampleVariance(ma) / ma.n + sampleVariance(mr) / mr.n;
    if (!(variance > 0)) continue;
    weightedEffect += (sign * (ma.mean - mr.mean)) / variance;
    information += 1 / variance;
    strataUsed += 1;
  }
  // Relative amounts are relative to the reference mean (or, if that is 0, its spread).
  const base = rTotal.mean !== 0 ? rTotal.mean : Math.sqrt(sampleVariance(rTotal));
  return {
    scale: 'mean',
    process: { weightedEffect, information },
    nullValue: amountIn(rule.tolerance, base),
    focus: Math.max(MIN_FOCUS * (Math.abs(base) || 1), amountIn(rule.minimumEffect, base)),
    armValue: aTotal.n ? aTotal.mean : NaN,
    referenceValue: rTotal.n ? rTotal.mean : NaN,
    armObservations: aTotal.n,
    referenceObservations: rTotal.n,
    strataUsed,
    toNatural: (effect) => effect,
  };
}

function latencyContrast(rule: KpiRule, stats: RolloutStats, arm: string, reference: string): KpiContrast {
  const strata = pairs(stats, arm, reference);
  const refAll: LatencyCounts = emptyLatencyCounts();
  const armAll: LatencyCounts = emptyLatencyCounts();
  for (const [a, r] of strata) {
    addLatencyCounts(armAll, a.latency);
    addLatencyCounts(refAll, r.latency);
  }
  const nRef = latencyTotal(refAll);
  const nArm = latencyTotal(armAll);
  const base: KpiContrast = {
    scale: 'tail-share',
    process: { weightedEffect: 0, information: 0 },
    nullValue: 0,
    focus: 1,
    armValue: latencyQuantile(armAll, 0.95),
    referenceValue: latencyQuantile(refAll, 0.95),
    armObservations: nArm,
    referenceObservations: nRef,
    strataUsed: 0,
    toNatural: (e) => e,
  };
  if (nRef < MIN_LATENCY_REFERENCE) return base;
  // The reference threshold: the upper edge of the bucket holding the reference's p95.
  const jRef = Math.min(bucketOfRank(refAll, Math.ceil(0.95 * nRef)) + 1, refAll.length - 1);
  const tRef = bucketLowerEdge(jRef);
  const tArm =
    'absolute' in rule.tolerance ? tRef + rule.tolerance.absolute : tRef * (1 + rule.tolerance.relative);
  const jArm = Math.max(jRef, firstBucketAtOrAbove(tArm));
  const counts: [number, number, number, number][] = strata.map(([a, r]) => [
    countFromBucket(a.latency, jArm),
    latencyTotal(a.latency),
    countFromBucket(r.latency, jRef),
    latencyTotal(r.latency),
  ]);
  const { process, strataUsed } = arcsineProcess(counts, 1);
  const p0 = (countFromBucket(refAll, jRef) + 0.5) / (nRef + 1);
  // "Harm to catch": the reference share above tRef if every latency were (1 + effect) slower.
  const slowerBy =
    'absolute' in rule.minimumEffect
      ? tRef - rule.minimumEffect.absolute
      : tRef / (1 + rule.minimumEffect.relative);
  let jFocus = Math.min(jRef - 1, firstBucketAtOrAbove(Math.max(0, slowerBy)));
  let p1 = (countFromBucket(refAll, jFocus) + 0.5) / (nRef + 1);
  while (p1 <= p0 && jFocus > 0) p1 = (countFromBucket(refAll, --jFocus) + 0.5) / (nRef + 1);
  return {
    ...base,
    process,
    focus: Math.max(MIN_FOCUS, angle(p1) - angle(p0)),
    strataUsed,
    toNatural: (effect) => (Number.isFinite(effect) ? fromAngle(angle(p0) + effect) - p0 : effect),
    thresholds: { arm: bucketLowerEdge(jArm), reference: tRef },
  };
}
