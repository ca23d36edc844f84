import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Clear personal values are kept only encrypted, with one AES-256-GCM key per data subject; erasure
 * destroys the key. The sealed form is `v1.<iv>.<ciphertext>.<tag>` (base64url), bound to its
 * subject by the additional authenticated data so a ciphertext cannot be moved to another subject.
 */
export function newSubjectKey(): Buffer {
  return randomBytes(32);
}

/** `n` fresh keys from one call to the CSPRNG (one syscall per batch, not per subject). */
export function newSubjectKeys(n: number): Buffer[] {
  const pool = randomBytes(32 * n);
  return Array.from({ length: n }, (_, i) => pool.subarray(32 * i, 32 * (i + 1)));
}

// GCM nonces are drawn from the CSPRNG 4 KiB at a time; each is used once and never reused.
let noncePool = Buffer.alloc(0);
let nonceAt = 0;
function freshNonce(): Buffer {
  if (nonceAt + 12 > noncePool.length) {
    noncePool = randomBytes(4096 - (4096 % 12));
    nonceAt = 0;
  }
  const iv = noncePool.subarray(nonceAt, nonceAt + 12);
  nonceAt += 12;
  return iv;
}

export function seal(key: Uint8Array, plaintext: string, aad: string): string {
  if (key.length !== 32) throw new Error('subject key must be 32 bytes');
  const iv = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    ct.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

export function unseal(key: Buffer, sealed: string, aad: string): string {
  const [version, iv, ct, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || ct === undefined || !tag) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** The per-tenant pseudonym key: HMAC-SHA256(secret, tenant), so tenants' pseudonyms never join. */
export function deriveTenantKey(secret: string | Buffer, tenantId: string): Buffer {
  return createHmac('sha256', secret).update(`agentops-audit-pseudonym:${tenantId}`).digest();
}

/** Values that mean the same person normalise to the same text before hashing. */
export function normalisePiiValue(kind: string, value: string): string {
  const v = value.trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
      return v.replace(/[^\d+]/g, '');
    case 'card':
    case 'iban':
      return v.replace(/[\s-]/g, '').toUpperCase();
    case 'address':
      return v.toLowerCase().replace(/\s+/g, ' ');
    default:
      return v;
  }
}

/** Keyed, deterministic pseudonym: `<kind>_<32 hex>`. Same tenant + value → same pseudonym. */
export function pseudonymise(tenantKey: Buffer, kind: string, value: string): string {
  const mac = createHmac('sha256', tenantKey)
    .update(`${kind}:${normalisePiiValue(kind, value)}`)
    .digest('hex');
  return `${kind}_${mac.slice(0, 32)}`;
}
