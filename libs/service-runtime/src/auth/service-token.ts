import { randomUUID } from 'node:crypto';
import { JWTVerifyGetKey, createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { z } from 'zod';
import { ALL_TENANTS, Principal } from './principal';
import { Ed25519PrivateJwk, PublicJwks, SigningKey } from './signing-keys';
import { PublicJwksSchema } from './token-keys';

/**
 * Services calling services: the caller signs a short assertion with its own Ed25519 key
 * (`typ: svc+jwt`, issuer = its name, audience = the callee's name, two minutes), and the callee
 * checks it against the public keys it was configured to trust for that caller
 * (`SERVICE_PRINCIPALS_JWKS`). No shared secret travels; an assertion is useless at any other
 * service, and the callee grants a service principal only the routes that name it
 * (`@AllowServices`), never a human role.
 */
export const SERVICE_TOKEN_TYPE = 'svc+jwt';
const SERVICE_TOKEN_SECONDS = 120;
const ServiceName = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, 'a service name');

/** `SERVICE_PRINCIPALS_JWKS`: `{ "<service>": { "keys": [public JWKs] } }`. */
export const ServicePrincipalsSchema = z.record(ServiceName, PublicJwksSchema);
export type ServicePrincipals = z.infer<typeof ServicePrincipalsSchema>;

export class ServiceTokenSigner {
  private readonly key: SigningKey;
  private cached?: Map<string, { token: string; renewAt: number }>;

  constructor(
    readonly service: string,
    jwk: Ed25519PrivateJwk,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new SigningKey(jwk);
  }

  get publicJwks(): PublicJwks {
    return { keys: [this.key.publicJwk] };
  }

  /** An assertion for one callee, reused for half its lifetime. */
  tokenFor(audience: string): string {
    this.cached ??= new Map();
    const hit = this.cached.get(audience);
    const nowMs = this.now();
    if (hit && hit.renewAt > nowMs) return hit.token;
    const iat = Math.floor(nowMs / 1000);
    const token = this.key.signJws(SERVICE_TOKEN_TYPE, {
      iss: this.service,
      sub: `service:${this.service}`,
      aud: audience,
      iat,
      exp: iat + SERVICE_TOKEN_SECONDS,
      jti: randomUUID(),
    });
    this.cached.set(audience, { token, renewAt: nowMs + (SERVICE_TOKEN_SECONDS / 2) * 1000 });
    return token;
  }
}

/** This service's own credentials for calling others (`SERVICE_SIGNING_KEY`); injectable. */
export class ServiceCredentials {
  private readonly signer?: ServiceTokenSigner;

  constructor(
    readonly service: string,
    key: Ed25519PrivateJwk | undefined,
  ) {
    this.signer = key ? new ServiceTokenSigner(service, key) : undefined;
  }

  get configured(): boolean {
    return this.signer !== undefined;
  }

  /** The `authorization` header value for a call to `audience` (the callee's service name). */
  authorization(audience: string): string {
    if (!this.signer)
      throw new Error(`${this.service} has no SERVICE_SIGNING_KEY: it cannot call ${audience}`);
    return `Bearer ${this.signer.tokenFor(audience)}`;
  }
}

export class ServiceTokenVerifier {
  private readonly keysByService: Map<string, JWTVerifyGetKey>;

  constructor(
    /** This service's name: the audience assertions must name. */
    private readonly self: string,
    principals: ServicePrincipals,
  ) {
    this.keysByService = new Map(
      Object.entries(principals).map(([name, jwks]) => [name, createLocalJWKSet(jwks as never)]),
    );
  }

  async verify(token: string): Promise<Principal> {
    // The claimed issuer only selects which keys to try; the signature then proves it.
    const claimed = decodeJwt(token).iss;
    const keys = claimed ? this.keysByService.get(claimed) : undefined;
    if (!claimed || !keys) throw new Error('unknown service principal');
    const { payload } = await jwtVerify(token, keys, {
      issuer: claimed,
      audience: this.self,
      subject: `service:${claimed}`,
      algorithms: ['EdDSA'],
      typ: SERVICE_TOKEN_TYPE,
      clockTolerance: 5,
      requiredClaims: ['iat', 'exp'],
    });
    if (payload.exp! - payload.iat! > SERVICE_TOKEN_SECONDS) throw new Error('service token lives too long');
    return { kind: 'service', id: claimed, tenantId: ALL_TENANTS, roles: [], groups: [] };
  }
}
