import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { KafkaSecurity, KafkaSecurityEnv, resolveKafkaSecurity } from '@agentops/messaging';
import { z } from 'zod';
import { ServicePrincipalsSchema } from './auth/service-token';
import { Ed25519PrivateJwk } from './auth/signing-keys';
import { PublicJwksSchema, jsonValue } from './auth/token-keys';

/** Thrown at boot: names every bad variable so the operator fixes them in one go. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

const commaList = z
  .string()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** Variables every service reads; documented in .env.example. */
export const CommonEnv = z.object({
  KAFKA_BROKERS: commaList.default(['127.0.0.1:9092']),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, . _ - only')
    .default(''),
  /** This service's own Kafka principal and transport (docs/security.md § Kafka); see `kafkaSecurity`. */
  ...KafkaSecurityEnv.shape,
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/agentops'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('agentops:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Secure by default: anything but an explicit `development` (the local scripts, the demo and the
   * tests set it) is `production`, which refuses what only a laptop may get away with — ephemeral
   * audit keys, a database role that is not least-privilege, callbacks over http to loopback.
   */
  AGENTOPS_ENV: z.enum(['development', 'production']).default('production'),
  // Distinct per container by default: the pid alone repeats across containers.
  INSTANCE_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /**
   * The console's public keys for user tokens: its JWKS endpoint, fetched and cached (refreshed
   * every AUTH_JWKS_REFRESH_SECONDS, and at once for an unknown key id), unless AUTH_JWKS pins them.
   */
  AUTH_JWKS_URL: z.string().url().default('http://127.0.0.1:3000/.well-known/jwks.json'),
  /** A pinned JWKS (JSON, public Ed25519 keys): used instead of fetching AUTH_JWKS_URL. */
  AUTH_JWKS: jsonValue(PublicJwksSchema, 'a JWKS of public Ed25519 keys ({"keys":[...]})').optional(),
  AUTH_JWKS_REFRESH_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** The least time between two fetches caused by tokens naming a key id the verifier lacks. */
  AUTH_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * How long a verifier trusts its cached "not revoked" answer for a token when no revocation
   * message arrives (pub/sub can lose one); revocation takes effect within this bound.
   */
  AUTH_REVOCATION_CACHE_MS: z.coerce.number().int().min(0).max(5000).default(2000),
  /** This service's own private key (an Ed25519 JWK) for calling other services; unset: it calls none. */
  SERVICE_SIGNING_KEY: jsonValue(Ed25519PrivateJwk, 'a private Ed25519 JWK').optional(),
  /** Services this one accepts calls from, with their public keys: {"<service>":{"keys":[...]}}. */
  SERVICE_PRINCIPALS_JWKS: jsonValue(ServicePrincipalsSchema, 'a map of service name to JWKS').default({}),
  /**
   * Which proxies in front of this service may name the client's address in X-Forwarded-For
   * (Express's `trust proxy`): unset or `false`, none — the socket's address is the client, so a
   * forged header cannot dodge a per-address limit; a hop count (`1`); or addresses, CIDRs and
   * `loopback`/`linklocal`/`uniquelocal`, comma-separated. Behind a load balancer, name it, or every
   * client shares the balancer's address (and its login limit).
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((raw, ctx): TrustProxy => {
      const value = raw.trim();
      if (value === '' || value === 'false') return false;
      if (/^\d+$/.test(value)) {
        const hops = Number(value);
        if (hops >= 1 && hops <= 10) return hops;
      } else {
        const entries = value.split(',').map((e) => e.trim());
        if (entries.every(isTrustedProxyEntry)) return entries;
      }
      ctx.addIssue({
        code: 'custom',
        message:
          'expected false, a hop count from 1 to 10, or comma-separated addresses, CIDRs, loopback, linklocal, uniquelocal',
      });
      return z.NEVER;
    }),
  /**
   * Where kill switches are enforced (ingest, guardrail), a second Redis subscription on a thread of
   * its own writes each change to shared memory the checks read first, so a busy event loop refuses
   * a flip at its next check (libs/killswitch-client). Costs ~22 MB of RSS per process; `false`
   * leaves the event loop's subscription and the topic tail alone (every change still applies).
   */
  KILLSWITCH_FEED_THREAD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** Express's `trust proxy` setting: no proxy, a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

function isTrustedProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
export type CommonEnv = z.infer<typeof CommonEnv>;

/** Production unless explicitly `development` (an unset mode, as in a tool's raw env, is production). */
export function isProduction(config: { AGENTOPS_ENV?: 'development' | 'production' }): boolean {
  return config.AGENTOPS_ENV !== 'development';
}

/**
 * How this instance authenticates to Kafka: SASL credentials unless the mechanism is `none`, TLS
 * with the CA file's certificates. Throws a ConfigurationError naming the variables.
 */
export function kafkaSecurity(config: KafkaSecurityEnv): KafkaSecurity {
  const resolved = resolveKafkaSecurity(config);
  if (!resolved.ok) throw new ConfigurationError(resolved.problems);
  return resolved.security;
}

export function loadConfig<S extends z.ZodTypeAny>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // zod 4 leaves `input` off issues unless asked; without it every type error read as "is required".
  const result = schema.safeParse(env, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigurationError(
    result.error.issues.map(
      (i) =>
        `${i.path.join('.') || '(env)'}: ${i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message}`,
    ),
  );
}

export function port(defaultPort: number) {
  return z.coerce.number().int().min(0).max(65535).default(defaultPort);
}
