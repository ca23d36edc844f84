import {
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
} from 'node:crypto';
import { z } from 'zod';

/**
 * Ed25519 keys as JWKs (RFC 8037). A key ring lists private keys newest first: the first signs,
 * every one is published, so a rotation adds a key in front and keeps the previous one verifiable
 * until the tokens it signed have expired (two keys valid during the rollover).
 */
export const Ed25519PublicJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url Ed25519 public key'),
});
export const Ed25519PrivateJwk = Ed25519PublicJwk.extend({
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url Ed25519 private key'),
});
export type Ed25519PrivateJwk = z.infer<typeof Ed25519PrivateJwk>;

export interface PublicJwk {
  [extra: string]: unknown;
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg?: string;
  use?: string;
}
export interface PublicJwks {
  keys: PublicJwk[];
}

/** RFC 7638 thumbprint: the key id is derived from the key, so signer and JWKS always agree. */
export function jwkThumbprint(jwk: { crv: string; kty: string; x: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function generateSigningJwk(): Ed25519PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  return Ed25519PrivateJwk.parse(privateKey.export({ format: 'jwk' }));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** One private key: signs compact JWS (EdDSA) synchronously, with Node's crypto. */
export class SigningKey {
  readonly kid: string;
  private readonly key: KeyObject;
  readonly publicJwk: PublicJwk;

  constructor(jwk: Ed25519PrivateJwk, kid?: string) {
    this.kid = kid ?? jwkThumbprint(jwk);
    this.key = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
    // The public half is derived, never trusted from the input: a mismatched `x` cannot be published.
    const x = (createPublicKey(this.key).export({ format: 'jwk' }) as { x: string }).x;
    if (x !== jwk.x) throw new Error(`key ${this.kid}: x is not the public half of d`);
    this.publicJwk = { kty: 'OKP', crv: 'Ed25519', x, kid: this.kid, alg: 'EdDSA', use: 'sig' };
  }

  signJws(typ: string, payload: Record<string, unknown>): string {
    const input = `${b64url({ alg: 'EdDSA', typ, kid: this.kid })}.${b64url(payload)}`;
    return `${input}.${sign(null, Buffer.from(input), this.key).toString('base64url')}`;
  }
}

/** The console's user-token keys: the first signs, all are published at `/.well-known/jwks.json`. */
export class SigningKeyRing {
  readonly keys: SigningKey[];

  constructor(jwks: Ed25519PrivateJwk[]) {
    if (jwks.length === 0) throw new Error('a key ring needs at least one key');
    this.keys = jwks.map((k) => new SigningKey(k));
    if (new Set(this.keys.map((k) => k.kid)).size !== this.keys.length) throw new Error('duplicate key');
  }

  static generate(): SigningKeyRing {
    return new SigningKeyRing([generateSigningJwk()]);
  }

  get current(): SigningKey {
    return this.keys[0]!;
  }

  publicJwks(): PublicJwks {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}

/** `AUTH_SIGNING_KEYS`: a JSON array of private Ed25519 JWKs (or `{"keys": [...]}`), newest first. */
export const SigningKeysJson = z
  .string()
  .min(1)
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON: an array of private Ed25519 JWKs' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .union([
        z.array(Ed25519PrivateJwk),
        z.object({ keys: z.array(Ed25519PrivateJwk) }).transform((s) => s.keys),
      ])
      .refine(
        (keys) => keys.length >= 1 && keys.length <= 5,
        'one to five keys, newest (the signing key) first',
      ),
  );
