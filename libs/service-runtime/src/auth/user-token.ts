import { randomUUID } from 'node:crypto';
import { JWTVerifyGetKey, jwtVerify } from 'jose';
import { ALL_TENANTS, HumanRole, HumanRoles, Principal } from './principal';
import { SigningKeyRing } from './signing-keys';

/**
 * User access tokens: compact JWS signed with the console's Ed25519 key (EdDSA, `typ: at+jwt` as
 * in RFC 9068), naming the user, tenant, roles, reviewer groups and the user's token epoch. Every
 * service verifies them with the console's public keys only, so no service can mint one. Break-glass
 * operator tokens are the same shape with `pk: operator`, a reason and a short lifetime.
 */
export const TOKEN_ISSUER = 'agentops-console';
export const TOKEN_AUDIENCE = 'agentops-api';
export const USER_TOKEN_TYPE = 'at+jwt';
/** The longest a user token may live (SESSION_TTL_SECONDS caps at this too). */
export const MAX_USER_TOKEN_SECONDS = 7 * 24 * 3600;
/** The longest a break-glass operator token may live. */
export const MAX_OPERATOR_TOKEN_SECONDS = 12 * 3600;
/** Tolerated clock skew between the console and a verifier. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface UserTokenClaims {
  userId: string;
  tenantId: string;
  roles: HumanRole[];
  groups?: string[];
  /** The user's token epoch when signed in; a later change of the user revokes older tokens. */
  epoch?: number;
  ttlSeconds?: number;
}

export interface OperatorTokenClaims {
  /** Why the break-glass token was taken; logged with every call it makes. */
  reason: string;
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  tokenId: string;
  expiresAt: Date;
}

/** What a verified token says, beyond the principal: what revocation checks need. */
export interface VerifiedUserToken {
  principal: Principal;
  tokenId: string;
  epoch: number;
  expiresAt: Date;
  /** Break-glass tokens only. */
  reason?: string;
}

function issue(signer: SigningKeyRing, claims: Record<string, unknown>, ttlSeconds: number): IssuedToken {
  const now = Math.floor(Date.now() / 1000);
  const tokenId = randomUUID();
  const token = signer.current.signJws(USER_TOKEN_TYPE, {
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat: now,
    exp: now + ttlSeconds,
    jti: tokenId,
    ...claims,
  });
  return { token, tokenId, expiresAt: new Date((now + ttlSeconds) * 1000) };
}

export function issueUserToken(claims: UserTokenClaims, signer: SigningKeyRing): IssuedToken {
  const ttl = claims.ttlSeconds ?? 8 * 3600;
  if (ttl < 1 || ttl > MAX_USER_TOKEN_SECONDS)
    throw new RangeError(`ttl must be 1..${MAX_USER_TOKEN_SECONDS} s`);
  return issue(
    signer,
    {
      sub: claims.userId,
      pk: 'human',
      tenant: claims.tenantId,
      roles: claims.roles,
      groups: claims.groups ?? [],
      epoch: claims.epoch ?? 0,
    },
    ttl,
  );
}

/** The token alone, for callers that need nothing else (tests, tools). */
export const mintUserToken = (claims: UserTokenClaims, signer: SigningKeyRing): string =>
  issueUserToken(claims, signer).token;

/** A break-glass operator token: admin of every tenant, short-lived, with a reason. */
export function issueOperatorToken(claims: OperatorTokenClaims, signer: SigningKeyRing): IssuedToken {
  if (claims.ttlSeconds < 1 || claims.ttlSeconds > MAX_OPERATOR_TOKEN_SECONDS)
    throw new RangeError(`ttl must be 1..${MAX_OPERATOR_TOKEN_SECONDS} s`);
  if (!claims.reason.trim()) throw new RangeError('a break-glass token needs a reason');
  return issue(
    signer,
    { sub: 'operator', pk: 'operator', tenant: ALL_TENANTS, roles: ['admin'], reason: claims.reason },
    claims.ttlSeconds,
  );
}

const stringArray = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * Verifies signature (EdDSA only, a key the console published), type, issuer, audience, expiry
 * and lifetime, then reads the principal. Throws on anything else.
 */
export async function verifyUserToken(token: string, keys: JWTVerifyGetKey): Promise<VerifiedUserToken> {
  const { payload } = await jwtVerify(token, keys, {
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    algorithms: ['EdDSA'],
    typ: USER_TOKEN_TYPE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'iat', 'exp', 'jti'],
  });
  const kind = payload['pk'];
  const tenantId = payload['tenant'];
  if (kind !== 'human' && kind !== 'operator') throw new Error('token names no principal kind');
  if (typeof tenantId !== 'string' || !tenantId) throw new Error('token lacks a tenant');
  const lifetime = payload.exp! - payload.iat!;
  const maxLifetime = kind === 'operator' ? MAX_OPERATOR_TOKEN_SECONDS : MAX_USER_TOKEN_SECONDS;
  if (lifetime <= 0 || lifetime > maxLifetime) throw new Error('token lifetime out of bounds');
  const roles = stringArray(payload['roles']).filter((r): r is HumanRole =>
    HumanRoles.includes(r as HumanRole),
  );
  const epoch = payload['epoch'];
  const reason = payload['reason'];
  if (
    kind === 'operator' &&
    (payload.sub !== 'operator' || tenantId !== ALL_TENANTS || typeof reason !== 'string')
  )
    throw new Error('malformed operator token');
  return {
    principal: {
      kind,
      id: payload.sub!,
      tenantId,
      roles: kind === 'operator' ? ['admin'] : roles,
      groups: kind === 'operator' ? [] : stringArray(payload['groups']),
    },
    tokenId: payload.jti!,
    epoch: typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0 ? epoch : 0,
    expiresAt: new Date(payload.exp! * 1000),
    ...(kind === 'operator' ? { reason: reason as string } : {}),
  };
}
