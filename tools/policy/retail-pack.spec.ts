import { join } from 'node:path';
import {
  compilePolicySet,
  evaluatePolicyLayers,
  evaluatePolicySet,
  formatProblem,
  tenantSetProblems,
} from '@agentops/policy';
import { buildContext, checkCase, FixtureCase, loadFixtures, loadPolicySources } from './fixtures';
import { runPolicyTests } from './policy-test';

const PACK = join(__dirname, '../../policies/retail');

describe('retail policy pack', () => {
  const compiled = compilePolicySet(loadPolicySources(PACK));
  const suite = loadFixtures(PACK);

  it('compiles as one set, with at least 30 policies that each name version, description and owner', () => {
    if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
    expect(compiled.set.policies.length).toBeGreaterThanOrEqual(30);
    for (const p of compiled.set.policies) {
      expect(p.source).toMatch(/^\s+version: /m);
      expect(p.source).toMatch(/^\s+description: /m);
      expect(p.source).toMatch(/^\s+owner: /m);
    }
    expect(compiled.set.policies.some((p) => p.mode === 'shadow')).toBe(true);
  });

  it('has at least 60 cases covering every verdict, shadow and modify expectations', () => {
    expect(suite.cases.length).toBeGreaterThanOrEqual(60);
    const verdicts = new Set(suite.cases.map((c) => c.expect.verdict));
    expect([...verdicts].sort()).toEqual(['allow', 'deny', 'escalate', 'modify']);
    expect(suite.cases.some((c) => c.expect.shadow?.length)).toBe(true);
    expect(suite.cases.some((c) => c.expect.modifiedParams)).toBe(true);
  });

  it('every policy is exercised as violated by at least one case', () => {
    if (!compiled.ok) throw new Error('policy set does not compile');
    const hit = new Set(
      suite.cases.flatMap((c) => [...(c.expect.violated ?? []), ...(c.expect.shadow ?? [])]),
    );
    expect(compiled.set.policies.map((p) => p.id).filter((id) => !hit.has(id))).toEqual([]);
  });

  const cases: [string, FixtureCase][] = suite.cases.map((c) => [c.name, c]);
  it.each(cases)('%s', (_name, c) => {
    if (!compiled.ok) throw new Error('policy set does not compile');
    expect(checkCase(c, evaluatePolicySet(compiled.set, buildContext(suite, c)))).toEqual([]);
  });

  it('the policy-test runner passes the shipped pack', () => {
    const lines: string[] = [];
    expect(runPolicyTests(PACK, { write: (l) => lines.push(l) })).toBe(0);
    expect(lines[lines.length - 1]).toMatch(/^PASS: \d+\/\d+ cases passed, 0 failed/);
  });
});

const HOUSE = join(__dirname, '../../policies/tenants/maison-demo');

describe('the demo tenant’s own set, layered over the retail baseline', () => {
  const baseline = compilePolicySet(loadPolicySources(PACK));
  const house = compilePolicySet(loadPolicySources(HOUSE));
  const suite = loadFixtures(HOUSE, PACK);

  it('compiles, redefines no baseline policy and names only maison-demo policies', () => {
    if (!baseline.ok || !house.ok) throw new Error('a set does not compile');
    expect(tenantSetProblems(house.set, baseline.set)).toEqual([]);
    expect(house.set.policies.every((p) => p.id.startsWith('maison-demo.'))).toBe(true);
  });

  const cases: [string, FixtureCase][] = suite.cases.map((c) => [c.name, c]);
  it.each(cases)('%s', (_name, c) => {
    if (!baseline.ok || !house.ok) throw new Error('a set does not compile');
    const layered = evaluatePolicyLayers(
      { baseline: baseline.set, tenant: house.set },
      buildContext(suite, c),
    );
    expect(checkCase(c, layered)).toEqual([]);
  });

  it('adds a constraint the baseline alone does not have (a refund in USD)', () => {
    if (!baseline.ok) throw new Error('baseline does not compile');
    const usd = suite.cases.find((c) => c.name.includes('USD'))!;
    expect(evaluatePolicySet(baseline.set, buildContext(suite, usd)).verdict).toBe('allow');
  });

  it('the policy-test runner passes it over the baseline, and refuses it alone without the context', () => {
    const lines: string[] = [];
    expect(runPolicyTests(HOUSE, { baseline: PACK, write: (l) => lines.push(l) })).toBe(0);
    expect(lines[lines.length - 1]).toMatch(
      /^PASS: 6\/6 cases passed, 0 failed — 2 policies, set \w+ over baseline \w+/,
    );
    expect(runPolicyTests(HOUSE, { write: () => undefined })).toBe(1);
  });
});
