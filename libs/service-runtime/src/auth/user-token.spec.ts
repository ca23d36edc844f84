import { SignJWT } from 'jose';
import { SigningKeyRing } from './signing-keys';
import { pinnedJwks } from './token-keys';
import {
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  USER_TOKEN_TYPE,
  issueOperatorToken,
  issueUserToken,
  verifyUserToken,
} from './user-token';

/**
 * The verifier every service runs on every human request. Each refusal here is one way a forged,
 * stale or misdirected token could otherwise get in.
 */
describe('user tokens', () => {
  const ring = SigningKeyRing.generate();
  const keys = pinnedJwks(ring.publicJwks());
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    sub: 'rita',
    pk: 'human',
    tenant: 'maison',
    roles: ['reviewer'],
    groups: ['service-reviewers'],
    epoch: 3,
    iat: now(),
    exp: now() + 600,
    jti: 'b0c6f1de-0000-4000-8000-000000000001',
    ...over,
  });
  const signed = (over: Record<string, unknown> = {}, typ = USER_TOKEN_TYPE, by = ring) =>
    by.current.signJws(typ, claims(over));

  it('accepts a token the console signed, with its principal, groups, epoch and id', async () => {
    const { token, tokenId, expiresAt } = issueUserToken(
      {
        userId: 'rita',
        tenantId: 'maison',
        roles: ['reviewer'],
        groups: ['service-leads'],
        epoch: 2,
        ttlSeconds: 60,
      },
      ring,
    );
    const verified = await verifyUserToken(token, keys);
    expect(verified).toEqual({
      principal: {
        kind: 'human',
        id: 'rita',
        tenantId: 'maison',
        roles: ['reviewer'],
        groups: ['service-leads'],
      },
      tokenId,
      epoch: 2,
      expiresAt,
    });
    expect(token.split('.')[0]).toBe(
      Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: ring.current.kid })).toString(
        'base64url',
      ),
    );
  });

  it('refuses an expired token (beyond the 5 s clock tolerance)', async () => {
    await expect(verifyUserToken(signed({ iat: now() - 700, exp: now() - 10 }), keys)).rejects.toThrow(
      /"exp" claim timestamp check failed/,
    );
  });

  it('refuses a token signed with another key, whether its key id is unknown or copied', async () => {
    const other = SigningKeyRing.generate();
    await expect(verifyUserToken(signed({}, USER_TOKEN_TYPE, other), keys)).rejects.toThrow(
      /no applicable key/,
    );
    // The attacker's signature under the console's key id: the signature check fails.
    const [, payload, signature] = signed({}, USER_TOKEN_TYPE, other).split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid: ring.current.kid }),
    ).toString('base64url');
    const forgedPayload = Buffer.from(JSON.stringify(claims({ roles: ['admin'], tenant: '*' }))).toString(
      'base64url',
    );
    await expect(verifyUserToken(`${header}.${payload}.${signature}`, keys)).rejects.toThrow(
      /signature verification failed/,
    );
    // And a genuine signature over other claims: changing the claims breaks it.
    const [realHeader, , realSignature] = signed().split('.');
    await expect(verifyUserToken(`${realHeader}.${forgedPayload}.${realSignature}`, keys)).rejects.toThrow(
      /signature verification failed/,
    );
  });

  it('refuses a wrong issuer', async () => {
    await expect(verifyUserToken(signed({ iss: 'someone-else' }), keys)).rejects.toThrow(
      /unexpected "iss" claim value/,
    );
  });

  it('refuses a wrong audience', async () => {
    await expect(verifyUserToken(signed({ aud: 'another-api' }), keys)).rejects.toThrow(
      /unexpected "aud" claim value/,
    );
  });

  it('refuses another token type (a service assertion presented as a user token)', async () => {
    await expect(verifyUserToken(signed({}, 'svc+jwt'), keys)).rejects.toThrow(/unexpected "typ"/);
  });

  it('refuses alg "none" and HS256 keyed with the public key (algorithm confusion)', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`;
    await expect(verifyUserToken(unsigned, keys)).rejects.toThrow();
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: ring.current.kid })
      .sign(new TextEncoder().encode(ring.current.publicJwk.x));
    await expect(verifyUserToken(hs, keys)).rejects.toThrow(
      /"alg" \(Algorithm\) Header Parameter value not allowed/,
    );
  });

  it('refuses a token without tenant, kind or id, or one that lives longer than allowed', async () => {
    await expect(verifyUserToken(signed({ tenant: undefined }), keys)).rejects.toThrow(/tenant/);
    await expect(verifyUserToken(signed({ pk: undefined }), keys)).rejects.toThrow(/principal kind/);
    await expect(verifyUserToken(signed({ jti: undefined }), keys)).rejects.toThrow(/"jti"/);
    await expect(verifyUserToken(signed({ exp: now() + 8 * 24 * 3600 }), keys)).rejects.toThrow(/lifetime/);
  });

  it('drops unknown roles rather than trusting them', async () => {
    const verified = await verifyUserToken(signed({ roles: ['reviewer', 'root'] }), keys);
    expect(verified.principal.roles).toEqual(['reviewer']);
  });

  it('break-glass operator tokens: admin of every tenant, with a reason, never longer than 12 h', async () => {
    const issued = issueOperatorToken({ reason: 'first admin', ttlSeconds: 900 }, ring);
    expect(await verifyUserToken(issued.token, keys)).toEqual({
      principal: { kind: 'operator', id: 'operator', tenantId: '*', roles: ['admin'], groups: [] },
      tokenId: issued.tokenId,
      epoch: 0,
      expiresAt: issued.expiresAt,
      reason: 'first admin',
    });
    expect(() => issueOperatorToken({ reason: 'x', ttlSeconds: 13 * 3600 }, ring)).toThrow(RangeError);
    expect(() => issueOperatorToken({ reason: ' ', ttlSeconds: 60 }, ring)).toThrow(/reason/);
    await expect(
      verifyUserToken(
        signed({ pk: 'operator', sub: 'operator', tenant: '*', reason: 'x', exp: now() + 13 * 3600 }),
        keys,
      ),
    ).rejects.toThrow(/lifetime/);
    // An operator claim bound to one tenant, or without a reason, is malformed.
    await expect(
      verifyUserToken(signed({ pk: 'operator', sub: 'operator', reason: 'x' }), keys),
    ).rejects.toThrow(/malformed operator token/);
    await expect(
      verifyUserToken(signed({ pk: 'operator', sub: 'operator', tenant: '*' }), keys),
    ).rejects.toThrow(/malformed operator token/);
  });
});
