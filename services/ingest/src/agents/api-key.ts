import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Agent API keys look like `aok_<keyId>_<secret>`: the key id finds the row, the secret is checked
 * against its SHA-256 digest. Secrets carry 256 bits of entropy, so a fast hash is the right tool
 * (as for GitHub tokens); a slow password hash would only add latency to every intent.
 */
const KEY_PATTERN = /^aok_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedApiKey {
  keyId: string;
  secretHash: string;
  /** Shown once to the operator; never stored. */
  clearKey: string;
}

export function issueApiKey(): IssuedApiKey {
  const keyId = randomBytes(10).toString('hex').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secretHash: hashSecret(secret), clearKey: `aok_${keyId}_${secret}` };
}

export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const m = KEY_PATTERN.exec(key.trim());
  return m ? { keyId: m[1], secret: m[2] } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What decides whether a stored key still authenticates. */
export interface KeyValidity {
  revokedAt: Date | null;
  /** Set by a rotation with a grace period: the key works until then, not at or after it. */
  expiresAt: Date | null;
}

export function keyIsUsable(key: KeyValidity, now: Date): boolean {
  return key.revokedAt === null && (key.expiresAt === null || now.getTime() < key.expiresAt.getTime());
}

/** The most a rotation may let the previous keys live on (one day, like the CLI documents). */
export const MAX_ROTATION_GRACE_SECONDS = 86_400;

/**
 * When a rotation retires the previous keys: at once for a grace of 0, otherwise after the grace.
 * A key that already expires sooner keeps its earlier expiry (a rotation never extends a key).
 */
export function retirementOf(
  key: KeyValidity,
  now: Date,
  graceSeconds: number,
): { revokedAt: Date | null; expiresAt: Date | null } {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_ROTATION_GRACE_SECONDS)
    throw new RangeError(`graceSeconds must be an integer in 0..${MAX_ROTATION_GRACE_SECONDS}`);
  if (graceSeconds === 0) return { revokedAt: now, expiresAt: key.expiresAt };
  const expiresAt = new Date(now.getTime() + graceSeconds * 1000);
  return {
    revokedAt: null,
    expiresAt: key.expiresAt && key.expiresAt < expiresAt ? key.expiresAt : expiresAt,
  };
}
