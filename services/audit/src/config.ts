import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';
import { AUDIT_WRITER_ROLE } from './persistence/migrations/1764000000402-chained-records';

export const AuditEnv = CommonEnv.extend({
  HTTP_PORT: port(3005),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Full URL the service connects with; when unset, DATABASE_URL with the user AUDIT_DB_ROLE. */
  AUDIT_DATABASE_URL: z.string().url().optional(),
  /** The restricted role (INSERT/SELECT only on records); empty = connect as DATABASE_URL's user. */
  AUDIT_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$|^$/)
    .default(AUDIT_WRITER_ROLE),
  /** Ed25519 private key, PEM or base64 PKCS#8; absent = an ephemeral key (dev only, logged loudly). */
  AUDIT_SIGNING_KEY: z.string().optional(),
  /** Comma-separated key ids whose checkpoint signatures verify accepts; empty = any self-consistent key. */
  AUDIT_TRUSTED_KEY_IDS: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** Secret the per-tenant pseudonym keys derive from (HMAC); >= 32 characters. */
  AUDIT_PSEUDONYM_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -hex 32)')
    .optional(),
  /** Sign a checkpoint after this many records on a chain... */
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(1000),
  /** ...or after this many seconds when the chain has grown since the last one. */
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Records appended per transaction, at most (taken from one Kafka batch). */
  AUDIT_BATCH_SIZE: z.coerce.number().int().min(1).max(2000).default(500),
});
export type AuditConfig = z.infer<typeof AuditEnv>;

/**
 * The service connects as the restricted writer role; migrations (tools/db/migrate.ts) keep using
 * DATABASE_URL as the schema owner. DATABASE_URL in the returned config is the service's own URL.
 */
export const loadAuditConfig = (env: Record<string, string | undefined> = process.env): AuditConfig => {
  const config = loadConfig(AuditEnv, env);
  return { ...config, DATABASE_URL: auditDatabaseUrl(config) };
};

export function auditDatabaseUrl(
  config: Pick<AuditConfig, 'AUDIT_DATABASE_URL' | 'AUDIT_DB_ROLE' | 'DATABASE_URL'>,
): string {
  if (config.AUDIT_DATABASE_URL) return config.AUDIT_DATABASE_URL;
  if (!config.AUDIT_DB_ROLE) return config.DATABASE_URL;
  const url = new URL(config.DATABASE_URL);
  url.username = config.AUDIT_DB_ROLE;
  url.password = '';
  return url.toString();
}
