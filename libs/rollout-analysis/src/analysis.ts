import { anytimeMeanInterval, quantileRankInterval } from './arm-intervals';
import { ArmWeights } from './assignment';
import { KpiContrast, kpiContrast, meanMoments, observationsOf, rateCounts } from './kpi-contrasts';
import { KPIS } from './kpis';
import {
  bucketLowerEdge,
  bucketOfRank,
  bucketUpperEdge,
  latencyQuantile,
  latencyTotal,
} from './latency-histogram';
import { OneSidedResult, oneSidedTest } from './mixture-test';
import { KpiRule, RolloutPlan } from './rollout-spec';
import { RolloutStats, armTotals } from './rollout-stats';
import { SrmResult, sampleRatioCheck } from './srm';
import { sampleVariance } from './welford';

/**
 * Everything the rollout's numbers say at one moment: each guardrail's test per candidate, the
 * primary KPI per arm (experiments), and the sample-ratio check. Pure: the same plan and stats
 * give the same analysis, in the service, the console and the bench.
 *
 * Family-wise error: every test gets α / (number of tests) (Bonferroni over the KPIs *this*
 * rollout declares and its candidates; a two-sided primary comparison splits its share between
 * the two directions), and every test is always valid, so the chance that any false harm or any
 * false winner is ever declared, over every look, is at most α.
 */
export type GuardrailStatus = 'insufficient_data' | 'no_harm_proven' | 'harm';

export interface KpiEvidence {
  /** The effect, arm minus reference, oriented so positive is worse, in the natural unit. */
  estimate: number;
  /** Lower and upper confidence bounds on that effect, each valid at the test's level over all looks. */
  lower: number;
  upper: number;
  /** log e-value against "no harm beyond the tolerance", and the log threshold log(1/α). */
  logE: number;
  logThreshold: number;
  scale: KpiContrast['scale'];
  /** For p95 latency: the tested thresholds (ms). */
  thresholds?: { arm: number; reference: number };
}

export interface GuardrailResult {
  kpi: KpiRule['kpi'];
  id: string;
  title: string;
  candidate: string;
  status: GuardrailStatus;
  /** The KPI of each arm (share, mean, or p95 ms) and the observations behind it. */
  candidateValue: number;
  baselineValue: number;
  candidateObservations: number;
  baselineObservations: number;
  /** Tolerance and focus on the natural scale (the tolerance the null allows; the harm the test is tuned for). */
  tolerance: number;
  evidence: KpiEvidence;
}

export interface ArmKpiSummary {
  arm: string;
  value: number;
  /** Interval for the arm's own value (always valid for rates and means; fixed-level ranks for p95). */
  interval: [number, number];
  observations: number;
}

export interface PairComparison {
  better: string | null;
  arms: [string, string];
  /** Effect `arms[0]` minus `arms[1]` in the "worse" orientation, with its bounds. */
  evidence: KpiEvidence;
}

export interface PrimaryResult {
  kpi: KpiRule['kpi'];
  id: string;
  title: string;
  arms: ArmKpiSummary[];
  comparisons: PairComparison[];
  /** The arm proven better than every other served arm, if any. */
  winner: string | null;
}

export interface RolloutAnalysis {
  alpha: number;
  testCount: number;
  alphaPerTest: number;
  /** Decisions per arm over all strata, and in the strata of `step` (the current step). */
  decisions: Record<string, number>;
  stepDecisions: Record<string, number>;
  guardrails: GuardrailResult[];
  primary?: PrimaryResult;
  srm: SrmResult;
}

export interface AnalysisOptions {
  /** Arms served now (weight > 0); only they are tested. Defaults to every arm with data. */
  weights?: ArmWeights;
  /** The current step, for `stepDecisions`. */
  step?: number;
}

export function analyseRollout(
  plan: RolloutPlan,
  stats: RolloutStats,
  options: AnalysisOptions = {},
): RolloutAnalysis {
  const served = (arm: string) => (options.weights ? (options.weights[arm] ?? 0) > 0 : true);
  const decisions: Record<string, number> = {};
  const stepDecisions: Record<string, number> = {};
  for (const arm of plan.arms) {
    decisions[arm] = 0;
    stepDecisions[arm] = 0;
  }
  for (const s of stats.strata)
    for (const [arm, acc] of Object.entries(s.arms)) {
      decisions[arm] = (decisions[arm] ?? 0) + acc.decisions;
      if (s.step === options.step) stepDecisions[arm] = (stepDecisions[arm] ?? 0) + acc.decisions;
    }

  const guardrails: GuardrailResult[] = [];
  for (const candidate of plan.candidates.map((c) => c.name).filter(served))
    for (const rule of plan.guardrails)
      guardrails.push(guardrailResult(rule, stats, candidate, plan.baseline.name, plan.alphaPerTest));

  const primary = plan.experiment
    ? primaryResult(
        plan.experiment.primary,
        stats,
        plan.arms.filter(served),
        plan.alphaPerTest,
        plan.experiment.minSamplePerArm,
      )
    : undefined;

  return {
    alpha: plan.alpha,
    testCount: plan.testCount,
    alphaPerTest: plan.alphaPerTest,
    decisions,
    stepDecisions,
    guardrails,
    primary,
    srm: sampleRatioCheck(stats, plan.srmPValue),
  };
}

/** The one-sided test on a contrast and the bounds on both sides, on the natural scale. */
function evidenceOf(contrast: KpiContrast, alpha: number): { test: OneSidedResult; evidence: KpiEvidence } {
  const test = oneSidedTest(contrast.process, contrast.nullValue, contrast.focus, alpha);
  // The upper bound: the same construction on the mirrored process ("the arm is better by at least …").
  const mirrored = oneSidedTest(
    { weightedEffect: -contrast.process.weightedEffect, information: contrast.process.information },
    -contrast.nullValue,
    contrast.focus,
    alpha,
  );
  const natural = contrast.toNatural;
  return {
    test,
    evidence: {
      estimate: natural(test.estimate),
      lower: natural(test.lowerBound),
      upper: natural(-mirrored.lowerBound),
      logE: test.logE,
      logThreshold: test.logThreshold,
      scale: contrast.scale,
      thresholds: contrast.thresholds,
    },
  };
}

function guardrailResult(
  rule: KpiRule,
  stats: RolloutStats,
  candidate: string,
  baseline: string,
  alpha: number,
): GuardrailResult {
  const contrast = kpiContrast(rule, stats, candidate, baseline);
  const { test, evidence } = evidenceOf(contrast, alpha);
  const status: GuardrailStatus =
    contrast.process.information <= 0 ? 'insufficient_data' : test.rejected ? 'harm' : 'no_harm_proven';
  return {
    kpi: rule.kpi,
    id: rule.id,
    title: KPIS[rule.kpi].title,
    candidate,
    status,
    candidateValue: contrast.armValue,
    baselineValue: contrast.referenceValue,
    candidateObservations: contrast.armObservations,
    baselineObservations: contrast.referenceObservations,
    tolerance: contrast.scale === 'tail-share' ? 0 : contrast.toNatural(contrast.nullValue),
    evidence,
  };
}

function primaryResult(
  rule: KpiRule,
  stats: RolloutStats,
  arms: string[],
  alpha: number,
  tunedFor: number,
): PrimaryResult {
  const comparisons: PairComparison[] = [];
  const beats = new Map<string, Set<string>>(arms.map((a) => [a, new Set<string>()]));
  for (let i = 0; i < arms.length; i++)
    for (let j = i + 1; j < arms.length; j++) {
      const [a, b] = [arms[i], arms[j]];
      // Two one-sided tests at α/2 each: "a is worse than b" and "b is worse than a".
      const aWorse = evidenceOf(kpiContrast(rule, stats, a, b), alpha / 2);
      const bWorse = evidenceOf(kpiContrast(rule, stats, b, a), alpha / 2);
      let better: string | null = null;
      if (aWorse.test.rejected) better = b;
      else if (bWorse.test.rejected) better = a;
      if (better) beats.get(better)!.add(better === a ? b : a);
      comparisons.push({ arms: [a, b], better, evidence: aWorse.evidence });
    }
  const winner = arms.find((a) => beats.get(a)!.size === arms.length - 1 && arms.length > 1) ?? null;
  return {
    kpi: rule.kpi,
    id: rule.id,
    title: KPIS[rule.kpi].title,
    arms: arms.map((arm) => armSummary(rule, stats, arm, alpha, tunedFor)),
    comparisons,
    winner,
  };
}

/** One arm's KPI over all its strata, with an interval for display. */
export function armSummary(
  rule: KpiRule,
  stats: RolloutStats,
  arm: string,
  alpha: number,
  tunedFor: number,
): ArmKpiSummary {
  const total = armTotals(stats, arm);
  const observations = observationsOf(rule, total);
  switch (KPIS[rule.kpi].kind) {
    case 'rate': {
      const [x, n] = rateCounts(rule.kpi, total);
      const p = n ? x / n : NaN;
      const smoothed = (x + 0.5) / (n + 1);
      const [lo, hi] = anytimeMeanInterval(p, smoothed * (1 - smoothed), n, alpha, tunedFor);
      return { arm, value: p, interval: [Math.max(0, lo), Math.min(1, hi)], observations };
    }
    case 'mean': {
      const m = meanMoments(rule, total);
      return {
        arm,
        value: m.n ? m.mean : NaN,
        interval: anytimeMeanInterval(m.mean, sampleVariance(m), m.n, alpha, tunedFor),
        observations,
      };
    }
    case 'latency': {
      const n = latencyTotal(total.latency);
      if (n === 0) return { arm, value: NaN, interval: [NaN, NaN], observations };
      const [loRank, hiRank] = quantileRankInterval(n, 0.95, alpha);
      return {
        arm,
        value: latencyQuantile(total.latency, 0.95),
        interval: [
          bucketLowerEdge(bucketOfRank(total.latency, loRank)),
          bucketUpperEdge(bucketOfRank(total.latency, hiRank)),
        ],
        observations,
      };
    }
  }
}
