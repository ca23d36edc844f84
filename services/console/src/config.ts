import {
  CommonEnv,
  ConfigurationError,
  MAX_OPERATOR_TOKEN_SECONDS,
  MAX_USER_TOKEN_SECONDS,
  SigningKeyRing,
  SigningKeysJson,
  loadConfig,
  port,
} from '@agentops/service-runtime';
import { z } from 'zod';

const serviceUrl = (defaultUrl: string) => z.string().url().default(defaultUrl);

export const ConsoleEnv = CommonEnv.extend({
  HTTP_PORT: port(3000),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** The services the console's `/api/<service>/…` proxy forwards to, with the user's token. */
  INGEST_URL: serviceUrl('http://127.0.0.1:3001'),
  GUARDRAIL_URL: serviceUrl('http://127.0.0.1:3002'),
  ESCALATION_URL: serviceUrl('http://127.0.0.1:3003'),
  KILLSWITCH_URL: serviceUrl('http://127.0.0.1:3004'),
  AUDIT_URL: serviceUrl('http://127.0.0.1:3005'),
  ROLLOUT_URL: serviceUrl('http://127.0.0.1:3006'),
  ACCESS_URL: serviceUrl('http://127.0.0.1:3007'),
  /** The built web app (`npm run build:web`). */
  CONSOLE_WEB_DIR: z.string().default('dist/console-web'),
  /**
   * The console's private keys for user tokens (JSON array of Ed25519 JWKs, newest first): the
   * first signs, all are published at /.well-known/jwks.json. Only the console holds them.
   */
  AUTH_SIGNING_KEYS: SigningKeysJson,
  /** How long a login lasts; the token and its cookie expire together. */
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(MAX_USER_TOKEN_SECONDS)
    .default(8 * 3600),
  /** The longest a break-glass operator token may be asked for (`npm run operator-token`). */
  BREAK_GLASS_MAX_TTL_SECONDS: z.coerce.number().int().min(60).max(MAX_OPERATOR_TOKEN_SECONDS).default(3600),
  /** Mark the session cookie `Secure` (set when the console is served over TLS). */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /**
   * Failed logins per user before the account is locked for LOGIN_LOCKOUT_SECONDS; every attempt
   * is counted before its password is checked, so parallel guesses cannot overrun it.
   */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(900),
  /** Failed logins from one address (any usernames) within LOGIN_IP_WINDOW_SECONDS before it is refused. */
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  LOGIN_IP_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(3600),
});
export type ConsoleConfig = z.infer<typeof ConsoleEnv>;

/** The console verifies its own tokens with its own public keys, unless AUTH_JWKS pins others. */
export function loadConsoleConfig(env: Record<string, string | undefined> = process.env): ConsoleConfig {
  const config = loadConfig(ConsoleEnv, env);
  let ring: SigningKeyRing;
  try {
    ring = new SigningKeyRing(config.AUTH_SIGNING_KEYS);
  } catch (error) {
    throw new ConfigurationError([`AUTH_SIGNING_KEYS: ${(error as Error).message}`]);
  }
  return { ...config, AUTH_JWKS: config.AUTH_JWKS ?? ring.publicJwks() };
}
