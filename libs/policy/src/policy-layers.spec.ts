import { Verdict } from '@agentops/contracts';
import { VERDICT_SEVERITY, evaluatePolicySet } from './evaluate';
import { EvaluationContext, UNKNOWN_ITEM } from './evaluation-context';
import { decisionSourceOf, evaluatePolicyLayers, tenantSetProblems } from './policy-layers';
import { CompiledPolicySet, compilePolicySet, formatProblem } from './policy-set';

function policy(
  name: string,
  body: {
    actions?: string[];
    mode?: 'enforce' | 'shadow';
    expression: string;
    effect: 'deny' | 'escalate' | 'modify' | 'warn';
    obligations?: string;
  },
): string {
  return `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: ${name}, version: "1" }
spec:
  mode: ${body.mode ?? 'enforce'}
  match: { actions: ${JSON.stringify(body.actions ?? ['*'])} }
  validations:
    - expression: ${JSON.stringify(body.expression)}
      message: ${name} violated
      effect: ${body.effect}${body.obligations ? `\n      obligations:\n${body.obligations}` : ''}
`;
}

function set(...docs: string[]): CompiledPolicySet {
  const result = compilePolicySet(docs.map((content, i) => ({ path: `p${i}.yaml`, content })));
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.set;
}

const capAt = (max: string) => `        - { type: cap, field: quantity, max: "${max}" }`;
const redactAll = `        - { type: redact, field: message, detector: pii }`;

const ctx = (params: Record<string, unknown>, over: Partial<EvaluationContext['intent']> = {}) =>
  ({
    intent: {
      action: 'pricing.set_price',
      target: { type: 'sku', id: 'S' },
      params,
      confidence: 0.9,
      justification: 'x',
      ...over,
    },
    agent: { id: 'a1', tenantId: 't1', role: 'pricing', version: '1', region: 'eu', labels: {} },
    item: UNKNOWN_ITEM,
    counters: {},
    retail: { competitors: [], approvedFacts: [], ownBrands: [] },
  }) satisfies EvaluationContext;

const floorDeny = policy('base-floor', {
  expression: 'double(intent.params.price) >= 100.0',
  effect: 'deny',
});
const unsureEscalates = policy('base-unsure', { expression: 'intent.confidence >= 0.6', effect: 'escalate' });
/** A tenant's attempts at waving things through: none of them may lower the baseline's verdict. */
const permissive = [
  policy('tenant-always-passes', { expression: 'true', effect: 'deny' }),
  policy('tenant-warns', { expression: 'false', effect: 'warn' }),
  policy('tenant-shadow', { mode: 'shadow', expression: 'false', effect: 'deny' }),
  policy('tenant-modify-nothing', { expression: 'false', effect: 'modify', obligations: capAt('1000000.0') }),
];

describe('policy layers: a tenant set over the platform baseline', () => {
  const baseline = set(floorDeny, unsureEscalates);

  it('cannot turn a baseline deny into an allow, whatever the tenant set holds', () => {
    const tenant = set(...permissive);
    const out = evaluatePolicyLayers({ baseline, tenant }, ctx({ price: 50 }));
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({ policyId: 'base-floor', effect: 'deny', mode: 'enforce' });
    expect(out.versions).toEqual({ baseline: baseline.version, tenant: tenant.version });
  });

  it('cannot turn a baseline escalate into allow or modify', () => {
    const tenant = set(...permissive);
    const out = evaluatePolicyLayers({ baseline, tenant }, ctx({ price: 500 }, { confidence: 0.3 }));
    expect(out.verdict).toBe('escalate');
    expect(out.reasons.map((r) => `${r.policyId}:${r.effect}`)).toContain('base-unsure:escalate');
  });

  it('cannot disable a baseline policy: redefining its name is refused with its location', () => {
    const disabling = set(
      policy('base-floor', { mode: 'shadow', expression: 'true', effect: 'warn' }),
      policy('tenant-own', { expression: 'true', effect: 'deny' }),
    );
    const problems = tenantSetProblems(disabling, baseline);
    expect(problems).toHaveLength(1);
    expect(formatProblem(problems[0])).toMatch(
      /^p0\.yaml:4:\d+: metadata\.name: base-floor is a policy of the platform baseline/,
    );
    expect(tenantSetProblems(set(...permissive), baseline)).toEqual([]);
    expect(tenantSetProblems(disabling, null)).toEqual([]);
    // Should the baseline later take a tenant's name, both are evaluated: the baseline's still denies.
    const out = evaluatePolicyLayers({ baseline, tenant: disabling }, ctx({ price: 50 }));
    expect(out.verdict).toBe('deny');
  });

  it('an empty tenant set changes nothing', () => {
    const empty = set('# nothing yet\n');
    expect(empty.policies).toEqual([]);
    for (const c of [ctx({ price: 50 }), ctx({ price: 500 }), ctx({ price: 500 }, { confidence: 0.1 })]) {
      const { versions, ...layered } = evaluatePolicyLayers({ baseline, tenant: empty }, c);
      expect(layered).toEqual(evaluatePolicySet(baseline, c));
      expect(versions.tenant).toBe(empty.version);
    }
  });

  it('a deny-all tenant set denies what the baseline allows', () => {
    const denyAll = set(policy('tenant-stop', { expression: 'false', effect: 'deny' }));
    expect(evaluatePolicySet(baseline, ctx({ price: 500 })).verdict).toBe('allow');
    const out = evaluatePolicyLayers({ baseline, tenant: denyAll }, ctx({ price: 500 }));
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({ policyId: 'tenant-stop', effect: 'deny' });
  });

  it('combines modify obligations: the stricter cap wins in either layer, both redactions hold', () => {
    const capTo = (name: string, max: string) =>
      policy(name, {
        actions: ['inventory.*'],
        expression: `double(intent.params.quantity) <= ${max}`,
        effect: 'modify',
        obligations: capAt(max),
      });
    const po = ctx({ quantity: 100 }, { action: 'inventory.create_purchase_order' });
    const loose = set(capTo('base-cap', '50.0'));
    const strict = set(capTo('tenant-cap', '30.0'));
    expect(evaluatePolicyLayers({ baseline: loose, tenant: strict }, po).modifiedParams).toEqual({
      quantity: 30,
    });
    const reversed = evaluatePolicyLayers(
      { baseline: set(capTo('base-cap', '30.0')), tenant: set(capTo('tenant-cap', '50.0')) },
      po,
    );
    expect(reversed.modifiedParams).toEqual({ quantity: 30 });
    expect(reversed.verdict).toBe('modify');

    const redactExcept = (name: string, keep?: string) =>
      policy(name, {
        actions: ['service.*'],
        expression: '!containsPII(intent.params.message)',
        effect: 'modify',
        obligations: keep
          ? `        - { type: redact, field: message, detector: pii, keep: "${keep}" }`
          : redactAll,
      });
    const message = 'Dear anna@example.com, marc@example.org asked about it.';
    const send = ctx({ message, recipientEmail: 'anna@example.com' }, { action: 'service.send_message' });
    const out = evaluatePolicyLayers(
      {
        baseline: set(redactExcept('base-pii', '[intent.params.recipientEmail]')),
        tenant: set(redactExcept('tenant-pii')),
      },
      send,
    );
    expect(out.modifiedParams?.message).toBe('Dear [redacted email], [redacted email] asked about it.');
    expect(out.obligations.map((o) => o.type)).toEqual(['redact', 'redact']);
  });

  it('reports tenant shadow policies in the shadow verdict and never enforces them', () => {
    const tenant = set(policy('tenant-trial', { mode: 'shadow', expression: 'false', effect: 'escalate' }));
    const out = evaluatePolicyLayers({ baseline, tenant }, ctx({ price: 500 }));
    expect(out.verdict).toBe('allow');
    expect(out.shadowVerdict).toBe('escalate');
  });

  it('names both versions in the decision source', () => {
    expect(decisionSourceOf({ baseline: 'b1' })).toBe('policy-set:b1');
    expect(decisionSourceOf({ baseline: 'b1', tenant: 't2' })).toBe('policy-set:b1+tenant:t2');
  });

  it('never lowers the verdict nor drops a baseline violation, over random sets and intents', () => {
    // A seeded generator (mulberry32), so a failure names a reproducible case.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const expressions = [
      'true',
      'false',
      'double(intent.params.price) >= 100.0',
      'intent.confidence >= 0.5',
      'double(intent.params.quantity) <= 50.0',
      'intent.params.missing == 1.0', // cannot be evaluated: counts as violated
    ];
    const randomSet = (prefix: string) =>
      set(
        ...Array.from({ length: Math.floor(random() * 5) }, (_, i) => {
          const effect = pick(['deny', 'escalate', 'modify', 'warn'] as const);
          return policy(`${prefix}-${i}`, {
            actions: [pick(['*', 'pricing.*', 'inventory.*', 'pricing.set_price'])],
            mode: random() < 0.3 ? 'shadow' : 'enforce',
            expression: pick(expressions),
            effect,
            obligations:
              effect === 'modify' ? capAt(pick(['10.0', '40.0', 'double(intent.params.price)'])) : undefined,
          });
        }),
        '# may be empty\n',
      );
    const worse = (a: Verdict, b: Verdict) => VERDICT_SEVERITY[a] >= VERDICT_SEVERITY[b];
    // Compiling is the slow part: pair sets from two pools instead of compiling a pair per case.
    const baselines = Array.from({ length: 30 }, () => randomSet('b'));
    const tenants = Array.from({ length: 30 }, () => randomSet('t'));
    for (let n = 0; n < 600; n++) {
      const layers = { baseline: pick(baselines), tenant: pick(tenants) };
      const c = ctx(
        { price: Math.round(random() * 300), quantity: Math.round(random() * 120) },
        {
          action: pick(['pricing.set_price', 'inventory.create_purchase_order']),
          confidence: Number(random().toFixed(2)),
        },
      );
      const alone = evaluatePolicySet(layers.baseline, c);
      const layered = evaluatePolicyLayers(layers, c);
      const where = `case ${n}: ${JSON.stringify(c.intent)}`;
      expect([where, worse(layered.verdict, alone.verdict)]).toEqual([where, true]);
      expect([where, worse(layered.shadowVerdict, alone.shadowVerdict)]).toEqual([where, true]);
      for (const r of alone.reasons.filter((x) => x.effect !== 'allow'))
        expect([where, layered.reasons]).toEqual([where, expect.arrayContaining([r])]);
      const cappedAlone = alone.modifiedParams?.quantity as number | undefined;
      if (cappedAlone !== undefined)
        expect([where, (layered.modifiedParams?.quantity as number) <= cappedAlone]).toEqual([where, true]);
    }
  });
});
