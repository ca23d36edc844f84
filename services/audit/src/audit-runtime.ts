import { SigningKey, generateSigningKey, loadSigningKey } from '@agentops/audit-chain';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditConfig } from './config';

/** Injection tokens for the audit-specific parts. */
export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');

/**
 * The checkpoint signing key. Without AUDIT_SIGNING_KEY a fresh key is generated: fine for a dev
 * laptop, useless for evidence (nobody can check signatures made by a key that died with the
 * process), so it is logged loudly.
 */
export function signingKeyFrom(config: AuditConfig, logger: Logger): SigningKey {
  if (config.AUDIT_SIGNING_KEY) return loadSigningKey(config.AUDIT_SIGNING_KEY);
  const key = generateSigningKey();
  logger.warn(
    { keyId: key.keyId, publicKey: key.publicKeyPem },
    '!!! AUDIT_SIGNING_KEY is not set: checkpoints are signed with an EPHEMERAL Ed25519 key. Set AUDIT_SIGNING_KEY (base64 PKCS#8 or PEM) outside development !!!',
  );
  return key;
}

/** The pseudonym secret; an ephemeral one (dev only) makes pseudonyms change at every restart. */
export function pseudonymSecretFrom(config: AuditConfig, logger: Logger): string {
  if (config.AUDIT_PSEUDONYM_SECRET) return config.AUDIT_PSEUDONYM_SECRET;
  logger.warn(
    '!!! AUDIT_PSEUDONYM_SECRET is not set: pseudonyms use an EPHEMERAL secret and will not join across restarts !!!',
  );
  return randomBytes(32).toString('hex');
}
