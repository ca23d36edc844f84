import { ServiceCredentials, ServiceTokenSigner, ServiceTokenVerifier } from './service-token';
import { SigningKeyRing, generateSigningJwk } from './signing-keys';
import { issueUserToken } from './user-token';

describe('service-to-service assertions', () => {
  const escalationKey = generateSigningJwk();
  const escalation = new ServiceTokenSigner('escalation', escalationKey);
  const guardrail = new ServiceTokenVerifier('guardrail', { escalation: escalation.publicJwks });

  it('the callee accepts the caller it trusts, as a service principal with no human role', async () => {
    expect(await guardrail.verify(escalation.tokenFor('guardrail'))).toEqual({
      kind: 'service',
      id: 'escalation',
      tenantId: '*',
      roles: [],
      groups: [],
    });
  });

  it('an assertion for another service is refused (audience)', async () => {
    await expect(guardrail.verify(escalation.tokenFor('killswitch'))).rejects.toThrow(/"aud"/);
  });

  it('a service cannot pass as another: the claimed name selects the keys that must have signed', async () => {
    const impostor = new ServiceTokenSigner('escalation', generateSigningJwk());
    await expect(guardrail.verify(impostor.tokenFor('guardrail'))).rejects.toThrow();
    const unknown = new ServiceTokenSigner('audit', generateSigningJwk());
    await expect(guardrail.verify(unknown.tokenFor('guardrail'))).rejects.toThrow(
      /unknown service principal/,
    );
  });

  it('a user token is not a service assertion', async () => {
    const ring = new SigningKeyRing([escalationKey]);
    const { token } = issueUserToken({ userId: 'u', tenantId: 't', roles: ['admin'] }, ring);
    await expect(guardrail.verify(token)).rejects.toThrow();
  });

  it('reuses an assertion for half its two minutes, then signs a fresh one', () => {
    let clock = 1_000_000_000;
    const signer = new ServiceTokenSigner('escalation', escalationKey, () => clock);
    const first = signer.tokenFor('guardrail');
    clock += 59_000;
    expect(signer.tokenFor('guardrail')).toBe(first);
    clock += 2_000;
    expect(signer.tokenFor('guardrail')).not.toBe(first);
  });

  it('a service without a key says so when asked to call another', () => {
    expect(() => new ServiceCredentials('ingest', undefined).authorization('guardrail')).toThrow(
      /ingest has no SERVICE_SIGNING_KEY/,
    );
    expect(new ServiceCredentials('escalation', escalationKey).authorization('guardrail')).toMatch(
      /^Bearer ey/,
    );
  });
});
