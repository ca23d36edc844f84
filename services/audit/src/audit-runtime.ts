import { SigningKey, generateSigningKey, loadSigningKey } from '@agentops/audit-chain';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { auditKeyProblems } from './audit-keys';
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
    'checkpoints are signed with an EPHEMERAL Ed25519 key (AUDIT_SIGNING_KEY is not set; development only)',
  );
  return key;
}

/** Logs what development mode lets through (production refused it in loadAuditConfig). */
export function warnAboutKeys(config: AuditConfig, production: boolean, logger: Logger): void {
  for (const warning of auditKeyProblems(config, production).warnings) logger.warn(`!!! ${warning} !!!`);
}

/** The pseudonym secret; an ephemeral one (dev only) makes pseudonyms change at every restart. */
export function pseudonymSecretFrom(config: AuditConfig): string {
  return config.AUDIT_PSEUDONYM_SECRET ?? randomBytes(32).toString('hex');
}
