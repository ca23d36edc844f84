import { PublicJwks, SigningKeyRing, generateSigningJwk } from './signing-keys';
import { RemoteJwks } from './token-keys';
import { mintUserToken, verifyUserToken } from './user-token';

/** The verifier's copy of the console's JWKS: rotation, cool-down, and a console that is down. */
describe('RemoteJwks', () => {
  let clock: number;
  let published: PublicJwks;
  let fetches: number;
  let failing: boolean;
  const source = () =>
    new RemoteJwks({
      fetchJwks: async () => {
        fetches += 1;
        if (failing) throw new Error('console down');
        return published;
      },
      refreshMs: 300_000,
      cooldownMs: 30_000,
      now: () => clock,
    });
  const claims = { userId: 'u', tenantId: 't', roles: ['sre' as const] };

  beforeEach(() => {
    clock = 1_000_000;
    fetches = 0;
    failing = false;
  });

  it('fetches once, then serves from memory until the refresh interval', async () => {
    const ring = SigningKeyRing.generate();
    published = ring.publicJwks();
    const jwks = source();
    await verifyUserToken(mintUserToken(claims, ring), jwks.getKey);
    await verifyUserToken(mintUserToken(claims, ring), jwks.getKey);
    expect(fetches).toBe(1);
    clock += 300_000;
    await verifyUserToken(mintUserToken(claims, ring), jwks.getKey);
    expect(fetches).toBe(2);
  });

  it('rotation: a token with a new key id triggers a fetch, and both keys verify during the rollover', async () => {
    const oldJwk = generateSigningJwk();
    const old = new SigningKeyRing([oldJwk]);
    published = old.publicJwks();
    const jwks = source();
    const oldToken = mintUserToken(claims, old);
    await verifyUserToken(oldToken, jwks.getKey);
    // The console publishes [new, old] and starts signing with the new key.
    const rotated = new SigningKeyRing([generateSigningJwk(), oldJwk]);
    published = rotated.publicJwks();
    clock += 31_000;
    await verifyUserToken(mintUserToken(claims, rotated), jwks.getKey);
    await verifyUserToken(oldToken, jwks.getKey);
    expect(jwks.keyIds).toEqual(rotated.keys.map((k) => k.kid));
    expect(fetches).toBe(2);
  });

  it('an unknown key id fetches at most once per cool-down (no fetch storm from forged tokens)', async () => {
    const ring = SigningKeyRing.generate();
    published = ring.publicJwks();
    const jwks = source();
    await verifyUserToken(mintUserToken(claims, ring), jwks.getKey);
    const stranger = SigningKeyRing.generate();
    clock += 31_000;
    for (let i = 0; i < 5; i += 1)
      await expect(verifyUserToken(mintUserToken(claims, stranger), jwks.getKey)).rejects.toThrow();
    expect(fetches).toBe(2);
  });

  it('keeps the last good keys when the console cannot be reached', async () => {
    const ring = SigningKeyRing.generate();
    published = ring.publicJwks();
    const jwks = source();
    await verifyUserToken(mintUserToken(claims, ring), jwks.getKey);
    failing = true;
    clock += 300_000;
    await expect(verifyUserToken(mintUserToken(claims, ring), jwks.getKey)).resolves.toBeDefined();
    expect(fetches).toBe(2);
  });

  it('before any key arrived, refuses and retries after a second, not on every request', async () => {
    const ring = SigningKeyRing.generate();
    published = ring.publicJwks();
    failing = true;
    const jwks = source();
    await expect(verifyUserToken(mintUserToken(claims, ring), jwks.getKey)).rejects.toThrow(
      /could not be fetched/,
    );
    await expect(verifyUserToken(mintUserToken(claims, ring), jwks.getKey)).rejects.toThrow();
    expect(fetches).toBe(1);
    failing = false;
    clock += 1000;
    await expect(verifyUserToken(mintUserToken(claims, ring), jwks.getKey)).resolves.toBeDefined();
  });
});
