/**
 * Rollout-analysis benchmark: does the sequential analysis of `@agentops/rollout-analysis` keep
 * its promises on seeded simulated streams, and how does it compare with a Flagger-style
 * fixed-threshold judge on the very same streams? See docs/benchmarks.md.
 *
 *  (a) A/A: candidate = baseline, the whole ramp 10 → 25 → 50 % → promote, checked after every
 *      batch: how often does anything roll back (must be ≤ α)?
 *  (b) detection: deny rate 5 % → 8 % on a 10 % canary: intents (both arms) until rollback;
 *      the fixed-threshold rule (1-minute intervals, 5 failed checks) judged side by side.
 *  (c) throughput: decisions assigned (SHA-256), accumulated and evaluated after every batch.
 *
 *   npm run bench:rollout-analysis -- [--aa-runs 1000] [--detection-runs 1000] [--sweep] [--json] [--no-write]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import {
  ArmStats,
  FixedThresholdState,
  RolloutPlan,
  SeededRandom,
  applyAction,
  assignArm,
  bucketLayout,
  decideNextAction,
  emptyArmStats,
  emptyFixedThresholdState,
  emptyRolloutStats,
  initialState,
  intervalDenyRate,
  judgeInterval,
  openStratum,
  recordArmFact,
  recordFact,
  validateRolloutYaml,
} from '@agentops/rollout-analysis';
import { commitOf } from '../shared/commit';
import { percentile, round2 } from '../shared/stats';
import { ArmBehaviour, BASELINE_BEHAVIOUR, drawDecision } from './streams';

/** The rollout every scenario runs: a pricing canary guarded on three KPIs. */
function rolloutYaml(guardrails: string): string {
  return `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata: { name: pricing-v2 }
spec:
  mode: canary
  cohort: { tenant: maison, selector: { role: pricing, action: "pricing.*" } }
  unit: params.sku
  baseline: { name: stable, agentVersion: "1.4.0" }
  candidates: [ { name: v2, agentVersion: "2.0.0" } ]
  steps:
    - { weight: 10, minDwell: 10m, minSamplePerArm: 2000 }
    - { weight: 25, minDwell: 5m, minSamplePerArm: 2000 }
    - { weight: 50, minDwell: 5m, minSamplePerArm: 2000 }
  guardrails:
${guardrails}
  analysis: { alpha: 0.05 }
`;
}

const DEFAULT_GUARDRAILS = `    - { kpi: deny_rate, minimumEffect: 0.02 }
    - { kpi: escalation_rate, minimumEffect: 0.02 }
    - { kpi: p95_latency, tolerance: 10%, minimumEffect: 20% }`;

function planOf(guardrails: string): RolloutPlan {
  const v = validateRolloutYaml(rolloutYaml(guardrails));
  if (!v.ok) throw new Error(`bench rollout invalid: ${JSON.stringify(v.issues)}`);
  return v.plan;
}

/** Fixed bounds on the candidate's per-interval deny rate, judged in parallel on every stream. */
const BOUNDS = [0.06, 0.065, 0.07, 0.075, 0.08, 0.085, 0.09, 0.1];

interface Settings {
  batch: number;
  rate: number;
  horizon: number;
  intervalIntents: number;
  threshold: number;
}

interface RunResult {
  /** What ended our rollout and after how many intents (both arms). */
  outcome: 'rollback' | 'promote' | 'pause' | 'horizon';
  atIntents: number;
  kpi?: string;
  /** Per bound: intents at the fixed-threshold rollback (undefined: never within the window). */
  fixed: (number | undefined)[];
  /** When the plain chi-square p-value first fell below the SRM threshold (it does not pause). */
  chiSquareAlarmAt?: number;
}

/**
 * One simulated rollout. `ramp`: the decision function drives the weights through every step to
 * promotion (A/A). Otherwise the candidate stays at the first step's 10 % (the detection
 * scenario), and the run continues until both judges decided or the horizon is reached.
 */
function simulate(
  plan: RolloutPlan,
  behaviours: Record<string, ArmBehaviour>,
  seed: number,
  s: Settings,
  ramp: boolean,
): RunResult {
  const rng = new SeededRandom(seed);
  const candidate = plan.candidates[0].name;
  const baseline = plan.baseline.name;
  const stats = emptyRolloutStats();
  let state = initialState(plan, 0);
  openStratum(stats, 0, state.weights);
  let interval: ArmStats = emptyArmStats();
  const fixedStates: FixedThresholdState[] = BOUNDS.map(() => emptyFixedThresholdState());
  const fixed: (number | undefined)[] = BOUNDS.map(() => undefined);
  let ours: Omit<RunResult, 'fixed'> | undefined;
  let chiSquareAlarmAt: number | undefined;
  for (let i = 1; i <= s.horizon; i++) {
    const arm = rng.next() * 100 < (state.weights[candidate] ?? 0) ? candidate : baseline;
    const fact = drawDecision(rng, behaviours[arm]);
    const lost = behaviours[arm].lossRate !== undefined && rng.next() < behaviours[arm].lossRate!;
    if (!ours && !lost) recordArmFact(stats, arm, fact);
    if (arm === candidate && !lost) recordFact(interval, fact);
    if (!ours && i % s.batch === 0) {
      const now = (i * 1000) / s.rate;
      const { action, analysis } = decideNextAction(plan, state, stats, now);
      if (chiSquareAlarmAt === undefined && analysis && analysis.srm.chiSquarePValue < plan.srmPValue)
        chiSquareAlarmAt = i;
      if (action.type === 'rollback') ours = { outcome: 'rollback', atIntents: i, kpi: action.harm.id };
      else if (action.type === 'promote') ours = { outcome: 'promote', atIntents: i };
      else if (action.type === 'pause') ours = { outcome: 'pause', atIntents: i, kpi: 'srm' };
      else if (action.type === 'advance' && ramp) {
        state = applyAction(plan, state, action, now);
        openStratum(stats, state.stepIndex, state.weights);
      }
    }
    if (i % s.intervalIntents === 0) {
      BOUNDS.forEach((max, b) => {
        if (fixed[b] !== undefined) return;
        const verdict = judgeInterval(fixedStates[b], interval, {
          metric: intervalDenyRate,
          max,
          threshold: s.threshold,
        });
        fixedStates[b] = verdict.state;
        if (verdict.rollback) fixed[b] = i;
      });
      interval = emptyArmStats();
    }
    // A/A: both judges are compared over the window our rollout ran.
    if (ramp && ours) break;
    if (!ramp && ours && fixed.every((f) => f !== undefined)) break;
  }
  return { ...(ours ?? { outcome: 'horizon', atIntents: s.horizon }), fixed, chiSquareAlarmAt };
}

interface AaSummary {
  runs: number;
  falseRollbacks: number;
  falseRollbackRate: number;
  byKpi: Record<string, number>;
  srmPauses: number;
  /** Rollouts in which the plain chi-square (p < threshold at any look) would have paused. */
  chiSquareAlarms: number;
  promotions: number;
  medianIntentsToPromotion: number;
  fixedFalseRollbackRate: number[];
}

function runAa(plan: RolloutPlan, runs: number, seed: number, s: Settings): AaSummary {
  const behaviours = { stable: BASELINE_BEHAVIOUR, v2: BASELINE_BEHAVIOUR };
  const results = Array.from({ length: runs }, (_, r) => simulate(plan, behaviours, seed + r, s, true));
  const byKpi: Record<string, number> = {};
  for (const r of results) if (r.outcome === 'rollback') byKpi[r.kpi!] = (byKpi[r.kpi!] ?? 0) + 1;
  const falseRollbacks = results.filter((r) => r.outcome === 'rollback').length;
  const promoted = results
    .filter((r) => r.outcome === 'promote')
    .map((r) => r.atIntents)
    .sort((a, b) => a - b);
  return {
    runs,
    falseRollbacks,
    falseRollbackRate: falseRollbacks / runs,
    byKpi,
    srmPauses: results.filter((r) => r.outcome === 'pause').length,
    chiSquareAlarms: results.filter((r) => r.chiSquareAlarmAt !== undefined).length,
    promotions: promoted.length,
    medianIntentsToPromotion: percentile(promoted, 50),
    fixedFalseRollbackRate: BOUNDS.map(
      (_, b) => results.filter((r) => r.fixed[b] !== undefined).length / runs,
    ),
  };
}

interface DetectionSummary {
  runs: number;
  median: number;
  p80: number;
  misses: number;
  byKpi: Record<string, number>;
  fixedMedian: number[];
  fixedP80: number[];
  fixedMisses: number[];
}

function runDetection(plan: RolloutPlan, runs: number, seed: number, s: Settings): DetectionSummary {
  const behaviours = { stable: BASELINE_BEHAVIOUR, v2: { ...BASELINE_BEHAVIOUR, denyRate: 0.08 } };
  const results = Array.from({ length: runs }, (_, r) => simulate(plan, behaviours, seed + r, s, false));
  const at = (values: (number | undefined)[]) => values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const ours = at(results.map((r) => (r.outcome === 'rollback' ? r.atIntents : undefined)));
  const byKpi: Record<string, number> = {};
  for (const r of results) if (r.outcome === 'rollback') byKpi[r.kpi!] = (byKpi[r.kpi!] ?? 0) + 1;
  const fixedSorted = BOUNDS.map((_, b) => at(results.map((r) => r.fixed[b])));
  return {
    runs,
    median: percentile(ours, 50),
    p80: percentile(ours, 80),
    misses: ours.filter((v) => v === Infinity).length,
    byKpi,
    fixedMedian: fixedSorted.map((v) => percentile(v, 50)),
    fixedP80: fixedSorted.map((v) => percentile(v, 80)),
    fixedMisses: fixedSorted.map((v) => v.filter((x) => x === Infinity).length),
  };
}

interface SrmDetection {
  runs: number;
  lossRate: number;
  median: number;
  chiSquareMedian: number;
  misses: number;
}

/** A candidate that loses a share of its intents before they are decided: intents until each SRM check fires. */
function runSrmDetection(
  plan: RolloutPlan,
  runs: number,
  lossRate: number,
  seed: number,
  s: Settings,
): SrmDetection {
  const behaviours = { stable: BASELINE_BEHAVIOUR, v2: { ...BASELINE_BEHAVIOUR, lossRate } };
  const results = Array.from({ length: runs }, (_, r) => simulate(plan, behaviours, seed + r, s, false));
  const sorted = (v: (number | undefined)[]) => v.map((x) => x ?? Infinity).sort((a, b) => a - b);
  const paused = sorted(results.map((r) => (r.outcome === 'pause' ? r.atIntents : undefined)));
  return {
    runs,
    lossRate,
    median: percentile(paused, 50),
    chiSquareMedian: percentile(sorted(results.map((r) => r.chiSquareAlarmAt)), 50),
    misses: paused.filter((v) => v === Infinity).length,
  };
}

interface ThroughputResult {
  full: number;
  recordOnly: number;
  fixedThreshold: number;
}

/**
 * Decisions per second on one core: the unit's arm by SHA-256, the fact into the accumulators,
 * and the whole decision (every KPI test, intervals, SRM) after every batch. The facts are drawn
 * before timing, so only analysis is timed. Baselines from the same run: accumulating without
 * evaluating, and the fixed-threshold judge.
 */
function runThroughput(plan: RolloutPlan, decisions: number, batch: number, seed: number): ThroughputResult {
  const rng = new SeededRandom(seed);
  const units = Array.from({ length: 10_000 }, (_, i) => `sku-${i}`);
  const stream = Array.from({ length: decisions }, () => ({
    unit: units[Math.floor(rng.next() * units.length)],
    fact: drawDecision(rng, BASELINE_BEHAVIOUR),
  }));
  const layout = bucketLayout(plan.baseline.name, [plan.candidates[0].name], { stable: 90, v2: 10 });
  const salt = 'bench-salt';
  const pass = (evaluate: 'full' | 'none' | 'fixed'): number => {
    const stats = emptyRolloutStats();
    const state = initialState(plan, 0);
    openStratum(stats, 0, state.weights);
    let interval = emptyArmStats();
    let fixedState = emptyFixedThresholdState();
    let sink = 0;
    const t0 = performance.now();
    for (let i = 0; i < stream.length; i++) {
      const arm = assignArm(salt, plan.key, stream[i].unit, layout);
      recordArmFact(stats, arm, stream[i].fact);
      if (evaluate === 'full' && (i + 1) % batch === 0) {
        sink += decideNextAction(plan, state, stats, i * 50).action.type.length;
      } else if (evaluate === 'fixed') {
        if (arm !== plan.baseline.name) recordFact(interval, stream[i].fact);
        if ((i + 1) % 1200 === 0) {
          fixedState = judgeInterval(fixedState, interval, {
            metric: intervalDenyRate,
            max: 0.08,
            threshold: 5,
          }).state;
          interval = emptyArmStats();
        }
      }
    }
    const elapsed = performance.now() - t0;
    if (sink < 0 || fixedState.checks < 0) throw new Error('unreachable');
    return (stream.length / elapsed) * 1000;
  };
  pass('full'); // warm-up
  const median3 = (f: () => number) => [f(), f(), f()].sort((a, b) => a - b)[1];
  return {
    full: median3(() => pass('full')),
    recordOnly: median3(() => pass('none')),
    fixedThreshold: median3(() => pass('fixed')),
  };
}

const fmt = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : 'never');
const pct = (v: number) => `${round2(v * 100)} %`;

function main(): number {
  const opts = new Command()
    .name('bench:rollout-analysis')
    .option('--aa-runs <n>', 'A/A rollouts, each through the whole ramp', (v) => Number.parseInt(v, 10), 1000)
    .option(
      '--detection-runs <n>',
      'regression runs (deny 5 % → 8 % at 10 %)',
      (v) => Number.parseInt(v, 10),
      1000,
    )
    .option('--batch <n>', 'intents between two evaluations', (v) => Number.parseInt(v, 10), 100)
    .option(
      '--rate <n>',
      'intents per second (maps intents to time for dwell and intervals)',
      (v) => Number.parseInt(v, 10),
      20,
    )
    .option(
      '--horizon <n>',
      'intents after which a detection run stops',
      (v) => Number.parseInt(v, 10),
      60000,
    )
    .option('--throughput <n>', 'decisions in the throughput pass', (v) => Number.parseInt(v, 10), 200000)
    .option('--seed <n>', 'first seed', (v) => Number.parseInt(v, 10), 20261201)
    .option('--sweep', 'also measure detection and A/A for other guardrail sets (400 runs each)')
    .option('--json', 'print a one-line JSON summary last')
    .option('--no-write', 'do not write docs/bench/rollout-analysis.json')
    .parse()
    .opts<{
      aaRuns: number;
      detectionRuns: number;
      batch: number;
      rate: number;
      horizon: number;
      throughput: number;
      seed: number;
      sweep?: boolean;
      json?: boolean;
      write: boolean;
    }>();
  const settings: Settings = {
    batch: opts.batch,
    rate: opts.rate,
    horizon: opts.horizon,
    intervalIntents: opts.rate * 60,
    threshold: 5,
  };
  const plan = planOf(DEFAULT_GUARDRAILS);
  const load = loadavg()[0];
  const t0 = performance.now();
  const aa = runAa(plan, opts.aaRuns, opts.seed, settings);
  const detection = runDetection(plan, opts.detectionRuns, opts.seed + 1_000_000, settings);
  const srm = runSrmDetection(plan, 200, 0.1, opts.seed + 5_000_000, settings);
  const simSeconds = (performance.now() - t0) / 1000;
  const tp = runThroughput(plan, opts.throughput, opts.batch, opts.seed + 2_000_000);

  // The fixed bound held to the same false-rollback budget as the sequential test.
  const calibrated = BOUNDS.findIndex((_, b) => aa.fixedFalseRollbackRate[b] <= plan.alpha);
  const lines = [
    `rollout-analysis: canary 10 → 25 → 50 % (min 2000 decisions/arm/step, dwell 10m/5m/5m), guardrails ${plan.guardrails.map((g) => g.id).join(', ')}`,
    `  α = ${plan.alpha} over ${plan.testCount} tests (${round2(plan.alphaPerTest * 1000) / 1000} each), evaluated every ${opts.batch} intents; ${opts.rate} intents/s; seed ${opts.seed}`,
    `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${round2(load)} → ${round2(loadavg()[0])}; simulation ${round2(simSeconds)} s`,
    '',
    `(a) A/A, ${aa.runs} rollouts through the whole ramp`,
    `    false rollbacks ${aa.falseRollbacks} (${pct(aa.falseRollbackRate)}; goal ≤ ${pct(plan.alpha)}) by KPI ${JSON.stringify(aa.byKpi)}`,
    `    SRM pauses ${aa.srmPauses} (${pct(aa.srmPauses / aa.runs)}; plain chi-square p < ${plan.srmPValue} at any look would have paused ${pct(aa.chiSquareAlarms / aa.runs)})`,
    `    promoted ${aa.promotions}, median ${fmt(aa.medianIntentsToPromotion)} intents to promotion`,
    '',
    `(b) deny rate 5 % → 8 % at 10 %, ${detection.runs} runs (horizon ${opts.horizon} intents)`,
    `    sequential: median ${fmt(detection.median)} intents (goal ≤ 7000), p80 ${fmt(detection.p80)} (goal ≤ 11000), missed ${detection.misses}, by KPI ${JSON.stringify(detection.byKpi)}`,
    `    fixed threshold (interval 1 min = ${settings.intervalIntents} intents, threshold ${settings.threshold} failed checks) on the same streams:`,
    `    ${'bound'.padStart(8)} ${'A/A false'.padStart(10)} ${'median'.padStart(8)} ${'p80'.padStart(8)} ${'missed'.padStart(7)} ${'median ratio'.padStart(13)}`,
    ...BOUNDS.map(
      (b, i) =>
        `    ${pct(b).padStart(8)} ${pct(aa.fixedFalseRollbackRate[i]).padStart(10)} ${fmt(detection.fixedMedian[i]).padStart(8)} ${fmt(detection.fixedP80[i]).padStart(8)} ${String(detection.fixedMisses[i]).padStart(7)} ${(Number.isFinite(detection.fixedMedian[i]) ? `${round2(detection.fixedMedian[i] / detection.median)}x` : '-').padStart(13)}${i === calibrated ? '  ← same false-rollback budget (≤ α)' : ''}`,
    ),
    '',
    `(b') SRM: the candidate loses ${pct(srm.lossRate)} of its intents before a decision (10 % canary), ${srm.runs} runs`,
    `    sequential SRM pauses after median ${fmt(srm.median)} intents (missed ${srm.misses}); plain chi-square would after ${fmt(srm.chiSquareMedian)}`,
    '',
    `(c) throughput, ${opts.throughput} decisions, one core (median of 3 passes)`,
    `    assign + accumulate + evaluate every ${opts.batch}: ${Math.round(tp.full)} decisions/s (goal ≥ 5000)`,
    `    assign + accumulate only:               ${Math.round(tp.recordOnly)} decisions/s (evaluation costs ${round2(tp.recordOnly / tp.full)}x)`,
    `    fixed-threshold judge:                  ${Math.round(tp.fixedThreshold)} decisions/s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  if (opts.sweep) process.stdout.write(`\n${sweep(opts.seed, settings).join('\n')}\n`);

  const root = resolve(__dirname, '../../..');
  const summary = {
    alpha: plan.alpha,
    aa_runs: aa.runs,
    aa_false_rollback_rate: round2(aa.falseRollbackRate * 10000) / 10000,
    detection_median_intents: Number.isFinite(detection.median) ? detection.median : null,
    detection_p80_intents: Number.isFinite(detection.p80) ? detection.p80 : null,
    fixed_threshold_median_intents:
      calibrated >= 0 && Number.isFinite(detection.fixedMedian[calibrated])
        ? detection.fixedMedian[calibrated]
        : null,
    decisions_per_s: Math.round(tp.full),
    // Measured on the real stack by bench/rollout-analysis/rollback-refusal.ts: kept as it stands.
    rollback_to_refusal_p99_ms: measuredRefusalP99(resolve(root, 'docs/bench/rollout-analysis.json')),
    commit: commitOf(root, ['libs/rollout-analysis', 'bench/rollout-analysis']),
    date: new Date().toISOString(),
  };
  if (opts.write) {
    mkdirSync(resolve(root, 'docs/bench'), { recursive: true });
    writeFileSync(resolve(root, 'docs/bench/rollout-analysis.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

/** The last real-stack measurement (`npm run bench:rollout-refusal`), or null before the first. */
function measuredRefusalP99(file: string): number | null {
  try {
    const v = (JSON.parse(readFileSync(file, 'utf8')) as { rollback_to_refusal_p99_ms?: unknown })
      .rollback_to_refusal_p99_ms;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

/** How detection and the A/A error move with the guardrails a rollout declares. */
function sweep(seed: number, settings: Settings): string[] {
  const sets: [string, string][] = [
    ['deny only', '    - { kpi: deny_rate, minimumEffect: 0.02 }'],
    [
      'deny + escalation',
      '    - { kpi: deny_rate, minimumEffect: 0.02 }\n    - { kpi: escalation_rate, minimumEffect: 0.02 }',
    ],
    ['deny + escalation + p95 (default)', DEFAULT_GUARDRAILS],
    [
      '… + fail-closed + halts (5 KPIs)',
      `${DEFAULT_GUARDRAILS}\n    - { kpi: fail_closed_rate }\n    - { kpi: halt_rate }`,
    ],
    [
      'deny (minimumEffect 1 pp) + escalation + p95',
      DEFAULT_GUARDRAILS.replace('deny_rate, minimumEffect: 0.02', 'deny_rate, minimumEffect: 0.01'),
    ],
    [
      'deny (minimumEffect 4 pp) + escalation + p95',
      DEFAULT_GUARDRAILS.replace('deny_rate, minimumEffect: 0.02', 'deny_rate, minimumEffect: 0.04'),
    ],
  ];
  const out = [
    'sweep (400 runs each): guardrails declared → detection of 5 % → 8 % at 10 %, A/A false rollbacks',
    `    ${'guardrails'.padEnd(48)} ${'median'.padStart(7)} ${'p80'.padStart(7)} ${'A/A false'.padStart(10)}`,
  ];
  for (const [name, guardrails] of sets) {
    const plan = planOf(guardrails);
    const d = runDetection(plan, 400, seed + 3_000_000, settings);
    const aa = runAa(plan, 400, seed + 4_000_000, settings);
    out.push(
      `    ${name.padEnd(48)} ${fmt(d.median).padStart(7)} ${fmt(d.p80).padStart(7)} ${pct(aa.falseRollbackRate).padStart(10)}`,
    );
  }
  return out;
}

process.exitCode = main();
