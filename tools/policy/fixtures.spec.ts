import { DecisionLike, FixtureCase, checkCase } from './fixtures';

/**
 * `checkCase` is the oracle every fixture case of the shipped pack rests on: each expectation must
 * be able to fail. One case per way of missing it, and the passing shapes that must stay passing.
 */
const kase = (expect: FixtureCase['expect']): FixtureCase => ({
  name: 'a case',
  file: 'fixtures/test.yaml',
  intent: { action: 'pricing.set_price', params: {}, confidence: 0.9, justification: 'x', dataUsed: [] },
  counters: {},
  expect,
});

const reason = (
  policyId: string,
  effect: DecisionLike['reasons'][number]['effect'],
  mode: 'enforce' | 'shadow' = 'enforce',
  message = `${policyId} says ${effect}`,
) => ({ policyId, effect, mode, message });

const denied: DecisionLike = {
  verdict: 'deny',
  reasons: [reason('price-floor', 'deny'), reason('margin-watch', 'deny', 'shadow'), reason('ok', 'allow')],
};

describe('checkCase', () => {
  it('passes a decision that meets every expectation', () => {
    expect(
      checkCase(
        kase({
          verdict: 'deny',
          violated: ['price-floor'],
          notViolated: ['ok'],
          shadow: ['margin-watch'],
          reasonContains: ['price-floor says'],
        }),
        denied,
      ),
    ).toEqual([]);
  });

  it('fails on another verdict', () => {
    expect(checkCase(kase({ verdict: 'allow' }), denied)[0]).toBe('verdict: expected allow, got deny');
  });

  it('fails when an expected violation is missing, or happened only in shadow mode', () => {
    expect(checkCase(kase({ verdict: 'deny', violated: ['velocity'] }), denied)[0]).toBe(
      'violated: expected velocity to be violated (enforced), it was not',
    );
    expect(checkCase(kase({ verdict: 'deny', violated: ['margin-watch'] }), denied)[0]).toBe(
      'violated: expected margin-watch to be violated (enforced), it was not',
    );
  });

  it('fails when a policy expected to pass was violated, in either mode', () => {
    expect(checkCase(kase({ verdict: 'deny', notViolated: ['price-floor'] }), denied)[0]).toBe(
      'notViolated: expected price-floor to pass, it was violated',
    );
    expect(checkCase(kase({ verdict: 'deny', notViolated: ['margin-watch'] }), denied)[0]).toBe(
      'notViolated: expected margin-watch to pass, it was violated',
    );
  });

  it('fails when an expected shadow violation is missing, or was enforced instead', () => {
    expect(checkCase(kase({ verdict: 'deny', shadow: ['price-floor'] }), denied)[0]).toBe(
      'shadow: expected a shadow violation of price-floor, there was none',
    );
    expect(checkCase(kase({ verdict: 'deny', shadow: ['ok'] }), denied)[0]).toBe(
      'shadow: expected a shadow violation of ok, there was none',
    );
  });

  it('fails on missing or different modified parameters, and names the field', () => {
    const modify = kase({ verdict: 'modify', modifiedParams: { quantity: 50, note: { capped: true } } });
    expect(checkCase(modify, { verdict: 'modify', reasons: [] })[0]).toBe(
      'modifiedParams: expected {"quantity":50,"note":{"capped":true}}, got none',
    );
    expect(
      checkCase(modify, {
        verdict: 'modify',
        reasons: [],
        modifiedParams: { quantity: 60, note: { capped: true } },
      })[0],
    ).toBe('modifiedParams.quantity: expected 50, got 60');
    expect(
      checkCase(modify, {
        verdict: 'modify',
        reasons: [],
        modifiedParams: { quantity: 50, note: { capped: false } },
      })[0],
    ).toBe('modifiedParams.note: expected {"capped":true}, got {"capped":false}');
    expect(
      checkCase(modify, {
        verdict: 'modify',
        reasons: [],
        modifiedParams: { quantity: 50, note: { capped: true }, extra: 1 },
      }),
    ).toEqual([]);
  });

  it('fails when no reason message contains the expected text', () => {
    expect(checkCase(kase({ verdict: 'deny', reasonContains: ['below the floor'] }), denied)[0]).toBe(
      'reasonContains: no reason message contains "below the floor"',
    );
  });

  it('reports every miss at once, then the violations it did see', () => {
    const diffs = checkCase(
      kase({ verdict: 'allow', violated: ['velocity'], reasonContains: ['nope'] }),
      denied,
    );
    expect(diffs).toEqual([
      'verdict: expected allow, got deny',
      'violated: expected velocity to be violated (enforced), it was not',
      'reasonContains: no reason message contains "nope"',
      'reasons:\n  price-floor [enforce deny] price-floor says deny\n  margin-watch [shadow deny] margin-watch says deny',
    ]);
    expect(checkCase(kase({ verdict: 'deny' }), { verdict: 'allow', reasons: [] })).toEqual([
      'verdict: expected deny, got allow',
      'reasons: (no violations)',
    ]);
  });

  it('counts a reason without a mode (a decision read back as JSON from before modes) as enforced', () => {
    const legacy = {
      verdict: 'deny',
      reasons: [{ policyId: 'p', effect: 'deny', message: 'm' }],
    } as unknown as DecisionLike;
    expect(checkCase(kase({ verdict: 'deny', violated: ['p'] }), legacy)).toEqual([]);
    expect(checkCase(kase({ verdict: 'deny', shadow: ['p'] }), legacy)[0]).toMatch(/^shadow:/);
  });
});
