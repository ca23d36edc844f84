import { join } from 'node:path';
import { compilePolicySet, evaluatePolicySet, formatProblem } from '@agentops/policy';
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
