import { ActionGlob, GLOB_MAX_WILDCARDS, globProblem } from './glob';
import { AgentScopes, AgentScopesInput, CohortSelector, CohortSelectorInput } from './schema';

describe('glob caps (where patterns enter)', () => {
  it('refuse too many wildcards and too long patterns, naming the cap', () => {
    expect(globProblem('*a*a*a*a*a*b')).toBe(`at most ${GLOB_MAX_WILDCARDS} * wildcards (found 6)`);
    expect(globProblem('a'.repeat(101))).toBe('at most 100 characters');
    expect(globProblem('*.issue_*')).toBeUndefined();
    expect(globProblem('*a*a*a*b')).toBeUndefined(); // four stars: the cap itself
  });

  it('ActionGlob applies them on top of the action charset', () => {
    expect(ActionGlob.safeParse('pricing.*').success).toBe(true);
    const refused = ActionGlob.safeParse('*a*a*a*a*a*b');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toBe('at most 4 * wildcards (found 6)');
    expect(ActionGlob.safeParse(`${'a'.repeat(100)}*`).success).toBe(false);
    expect(ActionGlob.safeParse('Pricing.*').success).toBe(false);
  });

  it('scopes and selectors as they enter are capped, naming the field', () => {
    const scopes = AgentScopesInput.safeParse({
      actions: ['service.*', '*a*a*a*a*a*b'],
      limits: [{ action: '*a*a*a*a*a*b', field: 'amount', max: 1 }],
    });
    expect(scopes.error?.issues.map((i) => i.path.join('.'))).toEqual(['actions.1', 'limits.0.action']);
    expect(CohortSelectorInput.safeParse({ action: '*a*a*a*a*a*b' }).error?.issues[0].path).toEqual([
      'action',
    ]);
  });

  it('scopes and selectors already stored or in flight are not re-checked (ratcheting)', () => {
    // A halt published before the caps must still be enforced; an agent registered before them keeps its scopes.
    expect(CohortSelector.safeParse({ action: '*a*a*a*a*a*b' }).success).toBe(true);
    expect(AgentScopes.safeParse({ actions: ['*a*a*a*a*a*b'] }).success).toBe(true);
  });
});
