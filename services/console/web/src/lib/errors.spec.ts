import { errorLine } from './errors';

describe('errorLine', () => {
  it('prefixes permission errors', () => {
    expect(errorLine(403, { statusCode: 403, message: 'requires role sre' })).toBe(
      "You don't have permission: requires role sre",
    );
  });
  it("reads problem details' detail and errors[] first (RFC 9457)", () => {
    expect(
      errorLine(400, {
        type: 'about:blank',
        status: 400,
        detail: 'validation failed',
        errors: [{ path: 'selector.role', detail: 'Invalid option' }],
        message: 'legacy text that is not shown',
      }),
    ).toBe('validation failed (selector.role: Invalid option)');
  });
  it('lists validation issues with their paths', () => {
    expect(
      errorLine(400, {
        statusCode: 400,
        message: 'validation failed',
        issues: [
          { path: 'selector.role', message: 'Invalid option' },
          { path: ['reason'], message: 'Too small' },
        ],
      }),
    ).toBe('validation failed (selector.role: Invalid option; reason: Too small)');
  });
  it('names the policies that refuse an edit', () => {
    expect(
      errorLine(422, {
        statusCode: 422,
        code: 'refused',
        message: 'the edited intent would be denied by policy',
        reasons: [{ policyId: 'retail.pricing.floor', message: 'price below floor' }],
      }),
    ).toBe('the edited intent would be denied by policy (retail.pricing.floor: price below floor)');
  });
  it('joins Nest message lists and falls back sensibly', () => {
    expect(errorLine(400, { message: ['a', 'b'] })).toBe('a; b');
    expect(errorLine(502, 'Bad Gateway')).toBe('Bad Gateway');
    expect(errorLine(500, null, 'HTTP 500')).toBe('HTTP 500');
    expect(errorLine(0, null, 'network down')).toBe('Cannot reach the console service: network down');
  });
});
