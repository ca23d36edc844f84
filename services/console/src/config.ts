import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
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
  /** The built web app (`npm run build:web`). */
  CONSOLE_WEB_DIR: z.string().default('dist/console-web'),
  /** How long a login lasts; the token and its cookie expire together. */
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(8 * 3600),
  /** Mark the session cookie `Secure` (set when the console is served over TLS). */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Failed logins per user before the account is locked for LOGIN_LOCKOUT_SECONDS. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(900),
});
export type ConsoleConfig = z.infer<typeof ConsoleEnv>;
export const loadConsoleConfig = (env = process.env) => loadConfig(ConsoleEnv, env);
