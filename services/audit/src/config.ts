import { CommonEnv, ConfigurationError, isProduction, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';
import { auditKeyProblems } from './audit-keys';

export const AuditEnv = CommonEnv.extend({
  HTTP_PORT: port(3005),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** The URL audit connects with (its writer role); when unset, DATABASE_URL. */
  AUDIT_DATABASE_URL: z.string().url().optional(),
  /** Ed25519 private key, PEM or base64 PKCS#8; absent = an ephemeral key (development only, logged loudly). */
  AUDIT_SIGNING_KEY: z.string().optional(),
  /** Comma-separated key ids whose checkpoint signatures verify accepts; required in production. */
  AUDIT_TRUSTED_KEY_IDS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().regex(/^[0-9a-f]{16}$/, 'key ids are 16 hex digits (printed by npm run audit:keys)'),
      ),
    ),
  /** Secret the per-tenant pseudonym keys derive from (HMAC); >= 32 characters. */
  AUDIT_PSEUDONYM_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -hex 32)')
    .optional(),
  /** Key-encryption keys of the data subjects' keys: base64 32 bytes, comma-separated, the first wraps. */
  AUDIT_KEK: z.string().optional(),
  /** Sign a checkpoint after this many records on a chain... */
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(1000),
  /** ...or after this many seconds when the chain has grown since the last one. */
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Records appended per transaction, at most (taken from one Kafka batch). */
  AUDIT_BATCH_SIZE: z.coerce.number().int().min(1).max(2000).default(500),
  /**
   * Worker threads for the append's CPU work (privacy treatment, sealing, canonical JSON); 0 = in
   * the event loop's thread. Unset: one per core but one from 4 cores on, 0 below (measured).
   */
  AUDIT_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
});
export type AuditConfig = z.infer<typeof AuditEnv>;

/**
 * The service connects as its writer role (AUDIT_DATABASE_URL, else DATABASE_URL); migrations
 * (tools/db/migrate.ts) run as the admin. DATABASE_URL in the returned config is the service's own
 * URL. Key material is checked here, so a bad or (in production) missing key stops the start with
 * the variable named.
 */
export const loadAuditConfig = (env: Record<string, string | undefined> = process.env): AuditConfig => {
  const config = loadConfig(AuditEnv, env);
  const { errors } = auditKeyProblems(config, isProduction(config));
  if (errors.length) throw new ConfigurationError(errors);
  return { ...config, DATABASE_URL: config.AUDIT_DATABASE_URL ?? config.DATABASE_URL };
};
