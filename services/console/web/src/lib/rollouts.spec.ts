import {
  type GuardrailView,
  type PrimaryView,
  type RolloutDetail,
  type TransitionView,
  armWeights,
  availableActions,
  decisionLog,
  formatEffect,
  formatInterval,
  formatKpi,
  guardrailRows,
  kpiKind,
  primaryRows,
  stepLine,
  testSummary,
  variantLine,
  weightLine,
} from './rollouts';

const steps = [
  { weight: 5, minDwellMs: 60_000, minSamplePerArm: 200 },
  { weight: 25, minDwellMs: 60_000, minSamplePerArm: 200 },
  { weight: 50, minDwellMs: 60_000, minSamplePerArm: 200 },
];

const guardrail = (over: Partial<GuardrailView> = {}): GuardrailView => ({
  kpi: 'deny_rate',
  id: 'deny_rate',
  title: 'deny rate',
  candidate: 'v2',
  status: 'no_harm_proven',
  candidateValue: 0.12,
  baselineValue: 0.05,
  candidateObservations: 300,
  baselineObservations: 2700,
  evidence: { estimate: 0.07, lower: 0.031, upper: 0.11, scale: 'arcsine' },
  ...over,
});

const detail = (
  over: Partial<RolloutDetail['analysis']> = {},
): Pick<RolloutDetail, 'status' | 'pausedReason' | 'analysis'> => ({
  status: 'running',
  analysis: {
    alpha: 0.05,
    decisions: { v1: 900, v2: 100 },
    stepDecisions: { v1: 900, v2: 100 },
    guardrails: [guardrail()],
    srm: { checked: true, pValue: 0.6, mismatch: false },
    ...over,
  },
});

describe('stepLine and weights', () => {
  it('names the canary step out of all steps and the candidate weight it serves', () => {
    expect(stepLine({ mode: 'canary', stepIndex: 1, steps, weights: { v1: 75, v2: 25 } })).toBe(
      'Step 2 of 3 · candidate at 25 %',
    );
  });
  it('shows an experiment as its fixed split', () => {
    expect(stepLine({ mode: 'experiment', stepIndex: 0, steps: [], weights: { a: 50, b: 50 } })).toBe(
      'Experiment · fixed weights a 50 % / b 50 %',
    );
  });
  it('lists the baseline first with its weight, and an arm missing from the weights at 0', () => {
    expect(
      armWeights({
        baseline: { name: 'v1', agentVersion: '1' },
        candidates: [
          { name: 'v2', agentVersion: '2' },
          { name: 'v3', promptId: 'p3' },
        ],
        weights: { v2: 10, v1: 90 },
      }),
    ).toEqual([
      { arm: 'v1', weight: 90, baseline: true },
      { arm: 'v2', weight: 10, baseline: false },
      { arm: 'v3', weight: 0, baseline: false },
    ]);
    expect(weightLine({ v1: 95, v2: 5 })).toBe('v1 95 % / v2 5 %');
  });
  it('describes a variant by what it names', () => {
    expect(variantLine({ name: 'b', promptId: 'cs-empathetic', framework: 'react' })).toBe(
      'prompt cs-empathetic, framework react',
    );
    expect(variantLine({ name: 'v2', agentVersion: '2' })).toBe('version 2');
  });
});

describe('KPI formatting', () => {
  it('reads rates as percentages and their effects in points, latency in ms', () => {
    expect(kpiKind('deny_rate')).toBe('share');
    expect(kpiKind('p95_latency')).toBe('ms');
    expect(kpiKind('cost_per_intent')).toBe('number');
    expect(formatKpi(0.1234, 'share')).toBe('12.3 %');
    expect(formatEffect(0.031, 'share')).toBe('+3.1 pt');
    expect(formatEffect(-0.004, 'share')).toBe('−0.4 pt');
    expect(formatKpi(181.6, 'ms')).toBe('182 ms');
    expect(formatKpi(0.00421, 'number')).toBe('0.004');
  });
  it('shows a value the analysis could not compute (JSON null) as a dash, an open bound as …', () => {
    expect(formatKpi(null, 'share')).toBe('—');
    expect(formatInterval(null, 0.02, (x) => formatEffect(x, 'share'))).toBe('[…, +2 pt]');
  });
});

describe('guardrailRows', () => {
  it('gives each guardrail a baseline row and one row per candidate with effect, interval and test state', () => {
    const rows = guardrailRows([
      guardrail({ status: 'harm' }),
      guardrail({ candidate: 'v3', candidateValue: 0.05, status: 'no_harm_proven' }),
    ]);
    expect(rows.map((r) => [r.arm, r.value, r.effect, r.interval, r.test])).toEqual([
      ['baseline', '5 %', undefined, undefined, undefined],
      ['v2', '12 %', '+7 pt', '[+3.1 pt, +11 pt]', 'harm'],
      ['v3', '5 %', '+7 pt', '[+3.1 pt, +11 pt]', 'no_harm_proven'],
    ]);
    expect(rows[0].observations).toBe(2700);
  });
  it('keeps two guardrails apart, each with its own baseline row', () => {
    const rows = guardrailRows([
      guardrail(),
      guardrail({
        kpi: 'p95_latency',
        id: 'p95_latency',
        title: 'p95 decision latency',
        candidateValue: 240,
        baselineValue: 180,
        evidence: { estimate: 60, lower: 10, upper: null, scale: 'tail-share' },
      }),
    ]);
    expect(rows.map((r) => r.key)).toEqual([
      'deny_rate/baseline',
      'deny_rate/v2',
      'p95_latency/baseline',
      'p95_latency/v2',
    ]);
    expect(rows[3]).toMatchObject({ value: '240 ms', interval: '[+10 ms, …]' });
  });
});

describe('primaryRows', () => {
  it('shows each arm with its interval and marks only the declared winner', () => {
    const primary: PrimaryView = {
      kpi: 'escalation_rate',
      id: 'escalation_rate',
      title: 'escalation rate',
      arms: [
        { arm: 'a', value: 0.1, interval: [0.08, 0.125], observations: 600 },
        { arm: 'b', value: 0.06, interval: [0.045, 0.078], observations: 610 },
      ],
      comparisons: [],
      winner: 'b',
    };
    expect(primaryRows(primary)).toEqual([
      { arm: 'a', value: '10 %', interval: '[8 %, 12.5 %]', observations: 600, winner: false },
      { arm: 'b', value: '6 %', interval: '[4.5 %, 7.8 %]', observations: 610, winner: true },
    ]);
  });
});

describe('testSummary', () => {
  it('puts proven harm first, naming the KPI and the candidate', () => {
    expect(testSummary(detail({ guardrails: [guardrail({ status: 'harm' })] }))).toBe(
      'Harm proven: deny rate of v2 is worse than the baseline.',
    );
  });
  it('reports a sample-ratio mismatch before anything reassuring', () => {
    expect(testSummary(detail({ srm: { checked: true, pValue: 0.0001, mismatch: true } }))).toMatch(
      /^Sample-ratio mismatch/,
    );
  });
  it('says how much was counted when nothing is proven', () => {
    expect(testSummary(detail())).toBe('No harm proven so far (1000 decisions, α = 0.05).');
    expect(testSummary(detail({ guardrails: [guardrail({ status: 'insufficient_data' })] }))).toBe(
      'Not enough data yet (1000 decisions).',
    );
    expect(testSummary(detail({ decisions: { v1: 0, v2: 0 } }))).toBe('No decision counted yet.');
  });
});

describe('availableActions', () => {
  it('lets sre and admin pause, promote or roll back a running rollout, and resume a paused one', () => {
    expect(availableActions('running', ['sre'])).toEqual(['pause', 'promote', 'rollback']);
    expect(availableActions('paused', ['admin'])).toEqual(['resume', 'promote', 'rollback']);
  });
  it('offers nothing to other roles, nor on a finished rollout', () => {
    expect(availableActions('running', ['reviewer', 'auditor'])).toEqual([]);
    expect(availableActions('rolled_back', ['sre'])).toEqual([]);
    expect(availableActions('promoted', ['admin'])).toEqual([]);
  });
});

describe('decisionLog', () => {
  it('lists the newest transition first, with the decisions counted then and whether the analysis decided it', () => {
    const t = (transition: TransitionView['transition'], actor: string, decisions: Record<string, number>) =>
      ({
        transition,
        actor,
        reason: transition,
        status: 'running',
        stepIndex: 0,
        weights: { v1: 95, v2: 5 },
        decisions,
        at: '2026-12-02T10:00:00.000Z',
      }) as TransitionView;
    const log = decisionLog([
      t('applied', 'user:sre-1', {}),
      t('rolled_back', 'analysis', { v1: 900, v2: 60 }),
    ]);
    expect(log.map((e) => [e.label, e.counted, e.automatic])).toEqual([
      ['rolled back', 960, true],
      ['applied', 0, false],
    ]);
  });
});
