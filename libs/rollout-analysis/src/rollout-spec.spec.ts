import { parse } from 'yaml';
import { validateRollout, validateRolloutYaml } from './rollout-spec';

const CANARY = `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata: { name: pricing-v2, description: new pricing model on 10 % of SKUs }
spec:
  cohort: { tenant: maison, selector: { role: pricing, action: "pricing.*" } }
  unit: params.sku
  baseline: { name: stable, agentVersion: "1.4.0" }
  candidates: [ { name: v2, agentVersion: "2.0.0", promptId: pricing-v7 } ]
  steps:
    - { weight: 10, minDwell: 10m, minSamplePerArm: 2000 }
    - { weight: 50, minDwell: 1h30m }
  guardrails:
    - { kpi: deny_rate }
    - { kpi: p95_latency, tolerance: 10% }
    - { kpi: business_value, path: result.margin, tolerance: 2%, minimumEffect: 5% }
`;

/** A document as parsed from YAML, before validation: anything goes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawDocument = any;
type Change = (doc: RawDocument) => unknown;

/** The document as written with one change, validated; the issues it produced. */
function issuesAfter(change: Change) {
  const doc = parse(CANARY);
  change(doc);
  const v = validateRollout(doc);
  return v.ok ? [] : v.issues;
}

describe('AgentRollout validation', () => {
  it('accepts a canary and normalises it into a plan', () => {
    const v = validateRolloutYaml(CANARY);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.plan).toMatchObject({
      key: 'pricing-v2',
      tenant: 'maison',
      selector: { tenantId: 'maison', role: 'pricing', action: 'pricing.*' },
      mode: 'canary',
      unitPath: 'params.sku',
      arms: ['stable', 'v2'],
      steps: [
        { weight: 10, minDwellMs: 600_000, minSamplePerArm: 2000 },
        { weight: 50, minDwellMs: 5_400_000, minSamplePerArm: 1000 },
      ],
      alpha: 0.05,
      srmPValue: 0.001,
      testCount: 3,
    });
    expect(v.plan.alphaPerTest).toBeCloseTo(0.05 / 3, 12);
    expect(v.plan.guardrails).toEqual([
      {
        kpi: 'deny_rate',
        id: 'deny_rate',
        harm: 'increase',
        tolerance: { absolute: 0 },
        minimumEffect: { absolute: 0.02 },
      },
      {
        kpi: 'p95_latency',
        id: 'p95_latency',
        harm: 'increase',
        tolerance: { relative: 0.1 },
        minimumEffect: { relative: 0.2 },
      },
      {
        kpi: 'business_value',
        id: 'business_value:result.margin',
        path: 'result.margin',
        harm: 'decrease',
        tolerance: { relative: 0.02 },
        minimumEffect: { relative: 0.05 },
      },
    ]);
  });

  it('accepts an experiment and counts the primary comparisons in the α split', () => {
    const v = validateRollout({
      apiVersion: 'agentops.io/v1',
      kind: 'AgentRollout',
      metadata: { name: 'service-prompts' },
      spec: {
        mode: 'experiment',
        cohort: { tenant: 'maison', selector: { role: 'service' } },
        unit: 'params.customerId',
        baseline: { name: 'prompt-a', promptId: 'service-v3' },
        candidates: [
          { name: 'prompt-b', promptId: 'service-v4' },
          { name: 'cot', promptId: 'service-v3', framework: 'chain-of-thought' },
        ],
        experiment: {
          weights: { 'prompt-a': 34, 'prompt-b': 33, cot: 33 },
          primary: { kpi: 'human_rejection_rate' },
          minDuration: '2h',
        },
        guardrails: [{ kpi: 'escalation_rate' }, { kpi: 'cost_per_intent', tolerance: '10%' }],
      },
    });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    // 2 candidates × 2 guardrails + 3 pairs of arms on the primary.
    expect(v.plan.testCount).toBe(7);
    expect(v.plan.experiment).toMatchObject({
      minDurationMs: 7_200_000,
      minSamplePerArm: 1000,
      primary: { kpi: 'human_rejection_rate', harm: 'increase' },
    });
  });

  it.each<[string, Change, string, RegExp]>([
    [
      'an unknown KPI',
      (d) => (d.spec.guardrails[0].kpi = 'happiness'),
      'spec.guardrails.0.kpi',
      /unknown KPI; known: deny_rate/,
    ],
    ['a weight above 100', (d) => (d.spec.steps[1].weight = 150), 'spec.steps.1.weight', /below 100/],
    ['a weight of 0', (d) => (d.spec.steps[0].weight = 0), 'spec.steps.0.weight', /above 0/],
    [
      'weights that do not grow',
      (d) => (d.spec.steps[1].weight = 10),
      'spec.steps.1.weight',
      /above the previous/,
    ],
    [
      'a weight finer than a basis point',
      (d) => (d.spec.steps[0].weight = 10.005),
      'spec.steps.0.weight',
      /two decimals/,
    ],
    [
      'a bad duration',
      (d) => (d.spec.steps[0].minDwell = 'ten minutes'),
      'spec.steps.0.minDwell',
      /duration/,
    ],
    ['a unit path outside the intent', (d) => (d.spec.unit = 'agent.id'), 'spec.unit', /params.sku/],
    ['an unknown field', (d) => (d.spec.canaryWeight = 5), 'spec.canaryWeight', /unknown field/],
    [
      'business value without a path',
      (d) => delete d.spec.guardrails[2].path,
      'spec.guardrails.2.path',
      /outcome path/,
    ],
    [
      'a path on another KPI',
      (d) => (d.spec.guardrails[0].path = 'result.margin'),
      'spec.guardrails.0.path',
      /only for business_value/,
    ],
    [
      'a rate amount of 1 or more',
      (d) => (d.spec.guardrails[0].tolerance = 2),
      'spec.guardrails.0.tolerance',
      /share below 1/,
    ],
    [
      'a minimum effect of 0',
      (d) => (d.spec.guardrails[0].minimumEffect = 0),
      'spec.guardrails.0.minimumEffect',
      /above 0/,
    ],
    [
      'a KPI guarded twice',
      (d) => d.spec.guardrails.push({ kpi: 'deny_rate' }),
      'spec.guardrails.3.kpi',
      /twice/,
    ],
    [
      'two candidates in a canary',
      (d) => d.spec.candidates.push({ name: 'v3', agentVersion: '3' }),
      'spec.candidates',
      /exactly one/,
    ],
    [
      'a candidate equal to the baseline',
      (d) => (d.spec.candidates[0] = { name: 'v2', agentVersion: '1.4.0' }),
      'spec.candidates.0',
      /differ/,
    ],
    [
      'a variant with nothing to vary',
      (d) => (d.spec.candidates[0] = { name: 'v2' }),
      'spec.candidates.0',
      /at least one/,
    ],
    [
      'a reused variant name',
      (d) => (d.spec.candidates[0].name = 'stable'),
      'spec.candidates.0.name',
      /twice/,
    ],
    [
      'a selector of another tenant',
      (d) => (d.spec.cohort.selector.tenantId = 'other'),
      'spec.cohort.selector.tenantId',
      /cohort's tenant/,
    ],
    ['an α of 0.5', (d) => (d.spec.analysis = { alpha: 0.5 }), 'spec.analysis.alpha', /0.2/],
    ['a missing guardrail list', (d) => (d.spec.guardrails = []), 'spec.guardrails', /1/],
    ['a canary without steps', (d) => delete d.spec.steps, 'spec.steps', /needs steps/],
    [
      'a p95 latency where faster is harm',
      (d) => (d.spec.guardrails[1].direction = 'decrease_is_harm'),
      'spec.guardrails.1.direction',
      /only an increase/,
    ],
    ['a wrong kind', (d) => (d.kind = 'Rollout'), 'kind', /AgentRollout/],
  ])('names the field for %s', (_, change, path, message) => {
    const issues = issuesAfter(change);
    const hit = issues.find((i) => i.path === path);
    expect({ path, issues }).toEqual({
      path,
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(hit!.message).toMatch(message);
  });

  it('names the fields of a broken experiment', () => {
    const issues = issuesAfter((d: RawDocument) => {
      d.spec.mode = 'experiment';
      delete d.spec.steps;
      d.spec.experiment = { weights: { stable: 60, ghost: 30 }, primary: { kpi: 'deny_rate', path: 'x.y' } };
    });
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'spec.experiment.weights.ghost',
        'spec.experiment.weights.v2',
        'spec.experiment.weights',
        'spec.experiment.primary.path',
      ]),
    );
  });

  it('reports YAML that does not parse at (document)', () => {
    const v = validateRolloutYaml('spec: [unclosed');
    expect(v).toMatchObject({ ok: false, issues: [{ path: '(document)' }] });
  });
});
