import { SignJWT, jwtVerify } from 'jose';
import { HumanRole, HumanRoles, Principal } from './principal';

/**
 * Human users carry a signed token (JWT, HS256) naming their id, tenant and roles. Every service
 * verifies it locally with the shared secret, so no service needs another's user table; the
 * console and CLI obtain tokens from whoever holds the secret (issue #8 adds the login endpoint).
 */
const ISSUER = 'agentops';
const AUDIENCE = 'agentops-api';

export interface UserTokenClaims {
  userId: string;
  tenantId: string;
  roles: HumanRole[];
  groups?: string[];
  ttlSeconds?: number;
}

export async function mintUserToken(claims: UserTokenClaims, secret: string): Promise<string> {
  return new SignJWT({ tenant: claims.tenantId, roles: claims.roles, groups: claims.groups ?? [] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 8 * 3600}s`)
    .sign(new TextEncoder().encode(secret));
}

export async function verifyUserToken(token: string, secret: string): Promise<Principal> {
  const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['HS256'],
  });
  const roles = Array.isArray(payload['roles'])
    ? payload['roles'].filter((r): r is HumanRole => HumanRoles.includes(r as HumanRole))
    : [];
  const tenantId = typeof payload['tenant'] === 'string' ? payload['tenant'] : undefined;
  const groups = Array.isArray(payload['groups'])
    ? payload['groups'].filter((g): g is string => typeof g === 'string')
    : [];
  if (!payload.sub || !tenantId) throw new Error('token lacks subject or tenant');
  return { kind: 'human', id: payload.sub, tenantId, roles, groups };
}
