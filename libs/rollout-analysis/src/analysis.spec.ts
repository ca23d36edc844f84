import { analyseRollout } from './analysis';
import { ArmStats, emptyArmStats, recordFact } from './arm-stats';
import { RolloutPlan, validateRollout } from './rollout-spec';
import { RolloutStats } from './rollout-stats';
import { SeededRandom } from './seeded-random';

function planWith(guardrails: object[]): RolloutPlan {
  const v = validateRollout({
    apiVersion: 'agentops.io/v1',
    kind: 'AgentRollout',
    metadata: { name: 'pricing-v2' },
    spec: {
      cohort: { tenant: 'maison' },
      unit: 'params.sku',
      baseline: { name: 'stable', agentVersion: '1' },
      candidates: [{ name: 'v2', agentVersion: '2' }],
      steps: [{ weight: 10, minDwell: '1m' }],
      guardrails,
    },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.plan;
}

function stratified(
  strata: { weights: Record<string, number>; arms: Record<string, ArmStats> }[],
): RolloutStats {
  return { version: 1, strata: strata.map((s, id) => ({ id, step: id, ...s })) };
}

/** An arm with `n` decisions of which `denies` were denied (counts only). */
const denials = (n: number, denies: number): ArmStats => ({ ...emptyArmStats(), decisions: n, denies });

function armWith(
  n: number,
  fact: (r: SeededRandom) => Parameters<typeof recordFact>[1],
  seed: number,
): ArmStats {
  const r = new SeededRandom(seed);
  const arm = emptyArmStats();
  for (let i = 0; i < n; i++) recordFact(arm, fact(r));
  return arm;
}

const latency = (medianMs: number) => (r: SeededRandom) =>
  ({
    kind: 'decision',
    verdict: 'allow',
    decidedBy: 'policy',
    latencyMs: medianMs * Math.exp(0.5 * r.normal()),
  }) as const;
const cost = (mean: number) => (r: SeededRandom) =>
  ({ kind: 'usage', costUsd: mean * (0.5 + r.next()) }) as const;
const margin = (mean: number) => (r: SeededRandom) =>
  ({ kind: 'business_value', path: 'result.margin', value: mean + 5 * r.normal() }) as const;

const result = (plan: RolloutPlan, stats: RolloutStats) => analyseRollout(plan, stats).guardrails[0];

describe('guardrail analysis', () => {
  it('proves a deny-rate rise and bounds it', () => {
    const r = result(
      planWith([{ kpi: 'deny_rate' }]),
      stratified([
        { weights: { stable: 90, v2: 10 }, arms: { stable: denials(18_000, 900), v2: denials(2000, 180) } },
      ]),
    );
    expect(r.status).toBe('harm');
    expect(r.candidateValue).toBeCloseTo(0.09, 10);
    expect(r.baselineValue).toBeCloseTo(0.05, 10);
    expect(r.evidence.estimate).toBeCloseTo(0.04, 2);
    expect(r.evidence.lower).toBeGreaterThan(0);
    expect(r.evidence.upper).toBeGreaterThan(r.evidence.estimate);
    expect(r.evidence.logE).toBeGreaterThan(r.evidence.logThreshold);
  });

  it('never calls an improvement harm (one-sided)', () => {
    const r = result(
      planWith([{ kpi: 'deny_rate' }]),
      stratified([
        {
          weights: { stable: 50, v2: 50 },
          arms: { stable: denials(20_000, 2000), v2: denials(20_000, 1000) },
        },
      ]),
    );
    expect(r.status).toBe('no_harm_proven');
    expect(r.evidence.estimate).toBeLessThan(0);
    expect(r.evidence.upper).toBeLessThan(0);
  });

  it('compares within strata, so a ramp over a drifting base rate is no harm (Simpson)', () => {
    // Both arms equal in each period; the candidate simply has more traffic in the worse period.
    const stats = stratified([
      { weights: { stable: 90, v2: 10 }, arms: { stable: denials(9000, 450), v2: denials(1000, 50) } },
      { weights: { stable: 50, v2: 50 }, arms: { stable: denials(5000, 500), v2: denials(5000, 500) } },
    ]);
    const r = result(planWith([{ kpi: 'deny_rate' }]), stats);
    // Pooled, the candidate looks 2.4 points worse; stratified, it is not.
    expect(r.candidateValue - r.baselineValue).toBeGreaterThan(0.02);
    expect(Math.abs(r.evidence.estimate)).toBeLessThan(0.002);
    expect(r.status).toBe('no_harm_proven');
  });

  it('accepts a rise inside the tolerance and rejects one beyond it', () => {
    const within = result(
      planWith([{ kpi: 'deny_rate', tolerance: 0.02 }]),
      stratified([
        {
          weights: { stable: 50, v2: 50 },
          arms: { stable: denials(100_000, 5000), v2: denials(100_000, 6000) },
        },
      ]),
    );
    expect(within.status).toBe('no_harm_proven');
    expect(within.tolerance).toBeCloseTo(0.02, 6);
    const beyond = result(
      planWith([{ kpi: 'deny_rate', tolerance: 0.02 }]),
      stratified([
        {
          weights: { stable: 50, v2: 50 },
          arms: { stable: denials(100_000, 5000), v2: denials(100_000, 8000) },
        },
      ]),
    );
    expect(beyond.status).toBe('harm');
  });

  it('waits for enough observations in both arms', () => {
    const r = result(
      planWith([{ kpi: 'deny_rate' }]),
      stratified([
        { weights: { stable: 90, v2: 10 }, arms: { stable: denials(1000, 50), v2: denials(20, 20) } },
      ]),
    );
    expect(r.status).toBe('insufficient_data');
  });

  it('counts human rejections over human resolutions', () => {
    const arm = (resolved: number, rejected: number): ArmStats => ({
      ...emptyArmStats(),
      decisions: 10_000,
      humanResolutions: resolved,
      humanRejections: rejected,
    });
    const r = result(
      planWith([{ kpi: 'human_rejection_rate' }]),
      stratified([{ weights: { stable: 50, v2: 50 }, arms: { stable: arm(2000, 200), v2: arm(2000, 400) } }]),
    );
    expect(r).toMatchObject({ status: 'harm', candidateObservations: 2000 });
    expect(r.candidateValue).toBeCloseTo(0.2, 10);
  });

  it('proves a p95 latency regression through the share of slow decisions', () => {
    const stats = stratified([
      {
        weights: { stable: 50, v2: 50 },
        arms: { stable: armWith(4000, latency(40), 1), v2: armWith(4000, latency(60), 2) },
      },
    ]);
    const r = result(planWith([{ kpi: 'p95_latency', tolerance: '10%' }]), stats);
    expect(r.status).toBe('harm');
    expect(r.candidateValue / r.baselineValue).toBeGreaterThan(1.3);
    expect(r.evidence.scale).toBe('tail-share');
    expect(r.evidence.thresholds!.arm).toBeGreaterThan(r.evidence.thresholds!.reference);
  });

  it('tolerates a latency rise inside the tolerance', () => {
    const stats = stratified([
      {
        weights: { stable: 50, v2: 50 },
        arms: { stable: armWith(60_000, latency(40), 3), v2: armWith(60_000, latency(41.2), 4) },
      },
    ]);
    expect(result(planWith([{ kpi: 'p95_latency', tolerance: '10%' }]), stats).status).toBe('no_harm_proven');
    expect(result(planWith([{ kpi: 'p95_latency' }]), stats).status).toBe('harm');
  });

  it('proves a cost rise on the mean, relative tolerance included', () => {
    const stats = stratified([
      {
        weights: { stable: 50, v2: 50 },
        arms: { stable: armWith(3000, cost(0.02), 5), v2: armWith(3000, cost(0.025), 6) },
      },
    ]);
    expect(result(planWith([{ kpi: 'cost_per_intent' }]), stats).status).toBe('harm');
    expect(result(planWith([{ kpi: 'cost_per_intent', tolerance: '30%' }]), stats).status).toBe(
      'no_harm_proven',
    );
  });

  it('treats a fall in business value as harm, and a rise not', () => {
    const guard = [{ kpi: 'business_value', path: 'result.margin' }];
    const worse = stratified([
      {
        weights: { stable: 50, v2: 50 },
        arms: { stable: armWith(3000, margin(20), 7), v2: armWith(3000, margin(18), 8) },
      },
    ]);
    const better = stratified([
      {
        weights: { stable: 50, v2: 50 },
        arms: { stable: armWith(3000, margin(20), 7), v2: armWith(3000, margin(22), 8) },
      },
    ]);
    const w = result(planWith(guard), worse);
    expect(w.status).toBe('harm');
    expect(w.evidence.estimate).toBeCloseTo(2, 0);
    expect(result(planWith(guard), better).status).toBe('no_harm_proven');
  });
});
