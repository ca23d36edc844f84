import {
  ArmStats,
  IntentFact,
  businessValueFact,
  decisionFact,
  emptyArmStats,
  mergeArmStats,
  recordFact,
  usageFact,
} from './arm-stats';
import { latencyQuantile } from './latency-histogram';
import { SeededRandom } from './seeded-random';
import {
  InvalidRolloutStatsError,
  emptyRolloutStats,
  mergeRolloutStats,
  openStratum,
  parseRolloutStats,
  recordArmFact,
  serialiseRolloutStats,
} from './rollout-stats';

function randomFacts(seed: number, n: number): IntentFact[] {
  const random = new SeededRandom(seed);
  const r = () => random.next();
  const facts: IntentFact[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.6)
      facts.push({
        kind: 'decision',
        verdict: r() < 0.1 ? 'deny' : r() < 0.1 ? 'escalate' : 'allow',
        decidedBy: r() < 0.05 ? 'timeout' : r() < 0.05 ? 'killswitch' : 'policy',
        latencyMs: 5 + 200 * r() * r(),
      });
    else if (u < 0.7)
      facts.push({
        kind: 'escalation_resolved',
        resolution: r() < 0.3 ? 'rejected' : r() < 0.2 ? 'timed_out' : 'approved',
      });
    else if (u < 0.8) facts.push({ kind: 'verification', violation: r() < 0.05 });
    else if (u < 0.9)
      facts.push({ kind: 'usage', costUsd: 0.01 + r() * 0.05, tokens: Math.floor(500 + r() * 2000) });
    else facts.push({ kind: 'business_value', path: 'result.margin', value: 10 + 30 * r() });
  }
  return facts;
}

function accumulate(facts: IntentFact[]): ArmStats {
  const arm = emptyArmStats();
  for (const f of facts) recordFact(arm, f);
  return arm;
}

/** Equal up to floating-point rounding (relative). */
function expectClose(a: number, b: number) {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-300));
}

/** Counts must match exactly, moments up to rounding. */
function expectSameStats(a: ArmStats, b: ArmStats) {
  const counts = (s: ArmStats) => ({ ...s, cost: undefined, tokens: undefined, value: undefined });
  expect(counts(a)).toEqual(counts(b));
  for (const key of ['cost', 'tokens'] as const) {
    expect(a[key].n).toBe(b[key].n);
    expectClose(a[key].mean, b[key].mean);
    expectClose(a[key].m2, b[key].m2);
  }
  expect(Object.keys(a.value)).toEqual(Object.keys(b.value));
  for (const path of Object.keys(a.value)) {
    expect(a.value[path].n).toBe(b.value[path].n);
    expectClose(a.value[path].mean, b.value[path].mean);
    expectClose(a.value[path].m2, b.value[path].m2);
  }
}

describe('arm accumulators', () => {
  const facts = randomFacts(7, 3000);
  const [x, y, z] = [facts.slice(0, 700), facts.slice(700, 1900), facts.slice(1900)].map(accumulate);

  it('merge like one pass over all the facts', () => {
    expectSameStats(mergeArmStats(mergeArmStats(x, y), z), accumulate(facts));
  });

  it('merge associatively and commutatively', () => {
    expectSameStats(mergeArmStats(mergeArmStats(x, y), z), mergeArmStats(x, mergeArmStats(y, z)));
    expectSameStats(mergeArmStats(x, y), mergeArmStats(y, x));
    expectSameStats(mergeArmStats(x, emptyArmStats()), x);
  });

  it('count what each KPI needs', () => {
    const arm = accumulate([
      { kind: 'decision', verdict: 'deny', decidedBy: 'policy', latencyMs: 10 },
      { kind: 'decision', verdict: 'deny', decidedBy: 'timeout', latencyMs: 2000 },
      { kind: 'decision', verdict: 'deny', decidedBy: 'killswitch' },
      { kind: 'decision', verdict: 'escalate', decidedBy: 'policy', latencyMs: 12 },
      { kind: 'decision', verdict: 'allow', decidedBy: 'policy', latencyMs: 11 },
      { kind: 'escalation_resolved', resolution: 'rejected' },
      { kind: 'escalation_resolved', resolution: 'timed_out' },
      { kind: 'verification', violation: true },
      { kind: 'usage', costUsd: 0.02, tokens: 100 },
      { kind: 'usage', costUsd: 0.04 },
      { kind: 'business_value', path: 'result.margin', value: 12 },
    ]);
    expect(arm).toMatchObject({
      decisions: 5,
      denies: 1,
      escalations: 1,
      failClosed: 1,
      halts: 1,
      humanResolutions: 1,
      humanRejections: 1,
      verifications: 1,
      violations: 1,
      cost: { n: 2, mean: 0.03 },
      tokens: { n: 1, mean: 100 },
    });
    expect(arm.value['result.margin']).toEqual({ n: 1, mean: 12, m2: 0 });
    expect(latencyQuantile(arm.latency, 0.5)).toBeGreaterThan(10);
    expect(latencyQuantile(arm.latency, 0.5)).toBeLessThan(13);
  });

  it('are built from the platform events', () => {
    expect(
      decisionFact(
        { verdict: 'deny', decidedBy: 'policy', decidedAt: '2026-01-01T00:00:00.250Z' },
        '2026-01-01T00:00:00.000Z',
      ),
    ).toEqual({ kind: 'decision', verdict: 'deny', decidedBy: 'policy', latencyMs: 250 });
    expect(
      decisionFact({ verdict: 'allow', decidedBy: 'human', decidedAt: '2026-01-01T00:00:00Z' }),
    ).toBeUndefined();
    expect(
      usageFact([
        { costUsd: 0.01, attributes: { 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 } },
        { costUsd: 0.02, attributes: {} },
      ]),
    ).toEqual({ kind: 'usage', costUsd: 0.03, tokens: 120 });
    // Tokens without a cost: priced with the versioned table (gpt-4o: $2.50 in, $10 out per million).
    const priced = usageFact([
      {
        attributes: {
          'gen_ai.request.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 100_000,
        },
      },
    ]);
    expect(priced).toMatchObject({ kind: 'usage', tokens: 1_100_000 });
    expect((priced as { costUsd: number }).costUsd).toBeCloseTo(3.5, 9);
    // A model the table does not know, or none: the cost is unknown, not $0.
    for (const model of ['in-house-llm-7', undefined])
      expect(
        usageFact([
          { costUsd: 0.01, attributes: {} },
          {
            attributes: {
              ...(model ? { 'gen_ai.request.model': model } : {}),
              'gen_ai.usage.input_tokens': 500,
            },
          },
        ]),
      ).toEqual({ kind: 'usage', costUsd: undefined, tokens: 500 });
    // A tool call with neither tokens nor a cost costs nothing.
    expect(usageFact([{ attributes: { tool: 'search' } }])).toEqual({
      kind: 'usage',
      costUsd: 0,
      tokens: undefined,
    });
    expect(businessValueFact({ executedParams: {}, result: { margin: 4.5 } }, 'result.margin')).toEqual({
      kind: 'business_value',
      path: 'result.margin',
      value: 4.5,
    });
    expect(
      businessValueFact({ executedParams: {}, result: { margin: 'n/a' } }, 'result.margin'),
    ).toBeUndefined();
  });
});

describe('rollout stats', () => {
  function partial(seed: number) {
    const stats = emptyRolloutStats();
    const facts = randomFacts(seed, 800);
    openStratum(stats, 0, { stable: 90, v2: 10 });
    facts.slice(0, 400).forEach((f, i) => recordArmFact(stats, i % 10 ? 'stable' : 'v2', f));
    openStratum(stats, 1, { stable: 75, v2: 25 });
    facts.slice(400).forEach((f, i) => recordArmFact(stats, i % 4 ? 'stable' : 'v2', f));
    return stats;
  }

  it('round-trip through JSON without losing a count', () => {
    const stats = partial(1);
    const back = parseRolloutStats(serialiseRolloutStats(stats));
    expect(back).toEqual(stats);
    // And keep accumulating after the restart.
    recordArmFact(back, 'v2', { kind: 'decision', verdict: 'deny', decidedBy: 'policy' });
    expect(back.strata[1].arms.v2.decisions).toBe(stats.strata[1].arms.v2.decisions + 1);
  });

  it('merge stratum by stratum, associatively', () => {
    const [a, b, c] = [partial(1), partial(2), partial(3)];
    const left = mergeRolloutStats(mergeRolloutStats(a, b), c);
    const right = mergeRolloutStats(a, mergeRolloutStats(b, c));
    expect(left.strata.map((s) => [s.id, s.step, s.weights])).toEqual(
      right.strata.map((s) => [s.id, s.step, s.weights]),
    );
    for (const id of [0, 1])
      for (const arm of ['stable', 'v2'])
        expectSameStats(left.strata[id].arms[arm], right.strata[id].arms[arm]);
    expect(left.strata[0].arms.v2.decisions).toBe(
      a.strata[0].arms.v2.decisions + b.strata[0].arms.v2.decisions + c.strata[0].arms.v2.decisions,
    );
  });

  it('refuses to merge strata of different weights', () => {
    const a = partial(1);
    const b = emptyRolloutStats();
    openStratum(b, 0, { stable: 50, v2: 50 });
    expect(() => mergeRolloutStats(a, b)).toThrow('stratum 0');
  });

  it('open a stratum only when the weights change, and record nothing for an arm at 0', () => {
    const stats = emptyRolloutStats();
    const s0 = openStratum(stats, 0, { stable: 90, v2: 10 });
    expect(openStratum(stats, 0, { stable: 90, v2: 10 })).toBe(s0);
    openStratum(stats, 0, { stable: 100, v2: 0 });
    expect(stats.strata).toHaveLength(2);
    expect(recordArmFact(stats, 'v2', { kind: 'verification', violation: false })).toBe(false);
    expect(recordArmFact(stats, 'v2', { kind: 'verification', violation: false }, 0)).toBe(true);
  });

  it('refuse corrupted stored stats, naming where', () => {
    const json = JSON.parse(serialiseRolloutStats(partial(1)));
    json.strata[1].arms.v2.denies = -1;
    expect(() => parseRolloutStats(json)).toThrow(InvalidRolloutStatsError);
    expect(() => parseRolloutStats(json)).toThrow('strata.1.arms.v2.denies');
    expect(() => parseRolloutStats('{not json')).toThrow('not JSON');
    expect(() => parseRolloutStats({ version: 2, strata: [] })).toThrow(InvalidRolloutStatsError);
  });
});
