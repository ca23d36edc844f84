import { AgentOpsRequestError, problemText } from './errors';

describe('AgentOpsRequestError: what a refusal says', () => {
  it('reads RFC 9457 problem details: detail and the fields errors[] names', () => {
    const body = {
      type: 'about:blank',
      status: 400,
      detail: 'validation failed',
      errors: [{ path: 'params.price', detail: 'Expected number' }],
    };
    expect(new AgentOpsRequestError(400, body).message).toBe(
      'AgentOps rejected the request (HTTP 400): validation failed (params.price: Expected number)',
    );
    expect(problemText({ detail: 'unknown intent' })).toBe('unknown intent');
  });

  it('shows any other body whole', () => {
    expect(problemText({ message: 'old shape' })).toBe('{"message":"old shape"}');
  });
});
