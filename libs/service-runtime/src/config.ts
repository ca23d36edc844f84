import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { KafkaCredentials, KafkaTls } from '@agentops/messaging';
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
  /**
   * This service's own Kafka principal (docs/security.md § Kafka); `none` only for a broker that
   * authenticates nobody. Username and password are checked by `kafkaSecurity` at boot.
   */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain', 'none']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers (SASL_SSL); the CA bundle (PEM file) to trust instead of the system's. */
  KAFKA_SSL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/agentops'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('agentops:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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

/**
 * How this instance authenticates to Kafka, from its config: SASL credentials unless the mechanism
 * is `none`, TLS with the CA file's certificates. Throws a ConfigurationError naming the variables.
 */
export function kafkaSecurity(
  config: Pick<
    CommonEnv,
    'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD' | 'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE'
  >,
): { sasl?: KafkaCredentials; tls?: KafkaTls } {
  const problems: string[] = [];
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  if (mechanism !== 'none') {
    const why = `is required with KAFKA_SASL_MECHANISM=${mechanism} (or set KAFKA_SASL_MECHANISM=none for a broker without authentication)`;
    if (!username) problems.push(`KAFKA_SASL_USERNAME: ${why}`);
    if (!password) problems.push(`KAFKA_SASL_PASSWORD: ${why}`);
  }
  let ca: string | undefined;
  if (config.KAFKA_SSL_CA_FILE) {
    if (!config.KAFKA_SSL) problems.push('KAFKA_SSL_CA_FILE: only used with KAFKA_SSL=true');
    try {
      ca = readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8');
    } catch (error) {
      problems.push(
        `KAFKA_SSL_CA_FILE: cannot read ${config.KAFKA_SSL_CA_FILE} (${(error as Error).message})`,
      );
    }
  }
  if (problems.length) throw new ConfigurationError(problems);
  return {
    sasl: mechanism === 'none' ? undefined : { mechanism, username: username!, password: password! },
    tls: config.KAFKA_SSL ? { ca } : undefined,
  };
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
