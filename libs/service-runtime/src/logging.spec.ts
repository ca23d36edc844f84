import { Writable } from 'node:stream';
import { SigningKeyRing } from './auth/signing-keys';
import { mintUserToken } from './auth/user-token';
import { createLogger, scrubCredentials } from './logging';

describe('logs never hold a credential', () => {
  const token = mintUserToken(
    { userId: 'rita', tenantId: 't', roles: ['reviewer'] },
    SigningKeyRing.generate(),
  );
  const apiKey = `aok_0123456789abcdef_${'A'.repeat(43)}`;

  it('masks tokens and API key secrets anywhere in a line, keeping the rest', () => {
    expect(scrubCredentials(`{"msg":"upstream said: Bearer ${token} was refused"}`)).toBe(
      '{"msg":"upstream said: Bearer [redacted-token] was refused"}',
    );
    expect(scrubCredentials(`agentops_session=${token}; Path=/`)).toBe(
      'agentops_session=[redacted-token]; Path=/',
    );
    expect(scrubCredentials(`key ${apiKey}`)).toBe('key aok_0123456789abcdef_[redacted]');
    expect(scrubCredentials('{"msg":"GET /v1/killswitches 200"}')).toBe('{"msg":"GET /v1/killswitches 200"}');
  });

  it('redacts the set-cookie of a sign-in answer and the authorization header', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('console', 'info', 'i-1', sink);
    logger.info({
      req: { headers: { authorization: `Bearer x`, cookie: 'agentops_session=y' } },
      res: { headers: { 'set-cookie': 'agentops_session=z; HttpOnly' } },
    });
    logger.info({ detail: `token ${token}` }, 'oops');
    const out = lines.join('');
    expect(out).not.toMatch(/Bearer x|session=y|session=z/);
    expect(out).not.toContain(token.split('.')[2]);
    expect(out).toContain('[redacted]');
  });
});
