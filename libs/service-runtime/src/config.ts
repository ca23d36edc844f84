import { hostname } from 'node:os';
import { KafkaSecurity, KafkaSecurityEnv, resolveKafkaSecurity } from '@agentops/messaging';
import { z } from 'zod';

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
  OPERATOR_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters (generate one with `openssl rand -hex 24`)'),
  /** Verifies human users' tokens; the same secret in every service. */
  AUTH_JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)'),
});
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
