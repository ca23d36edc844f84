import { createPublicKey, verify } from 'node:crypto';
import { SigningKeyRing, SigningKeysJson, generateSigningJwk, jwkThumbprint } from './signing-keys';

describe('signing keys', () => {
  it('key ids are RFC 7638 thumbprints (the RFC 8037 example key)', () => {
    // RFC 8037 appendix A.3: the thumbprint of its Ed25519 example key.
    expect(
      jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }),
    ).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('signs with the first key and publishes all of them, public halves only', () => {
    const [a, b] = [generateSigningJwk(), generateSigningJwk()];
    const ring = new SigningKeyRing([a, b]);
    expect(ring.current.kid).toBe(jwkThumbprint(a));
    expect(ring.publicJwks().keys.map((k) => k.kid)).toEqual([jwkThumbprint(a), jwkThumbprint(b)]);
    expect(JSON.stringify(ring.publicJwks())).not.toContain(a.d);
    const jws = ring.current.signJws('at+jwt', { sub: 'x' });
    const [h, p, s] = jws.split('.');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: a.x }, format: 'jwk' });
    expect(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))).toBe(true);
  });

  it('refuses a key whose public half does not match its private half, and duplicates', () => {
    const [a, b] = [generateSigningJwk(), generateSigningJwk()];
    expect(() => new SigningKeyRing([{ ...a, x: b.x }])).toThrow(/not the public half/);
    expect(() => new SigningKeyRing([a, a])).toThrow(/duplicate/);
  });

  it('AUTH_SIGNING_KEYS reads an array or a JWKS, one to five keys', () => {
    const a = generateSigningJwk();
    expect(SigningKeysJson.parse(JSON.stringify([a]))).toEqual([a]);
    expect(SigningKeysJson.parse(JSON.stringify({ keys: [a] }))).toEqual([a]);
    expect(SigningKeysJson.safeParse('[]').success).toBe(false);
    expect(SigningKeysJson.safeParse('nope').success).toBe(false);
  });
});
