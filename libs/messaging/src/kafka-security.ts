import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KafkaCredentials, KafkaTls } from './kafka-connection';

/**
 * The variables naming a client's Kafka principal and transport (docs/security.md § Kafka), for
 * the services (libs/service-runtime CommonEnv) and the tools alike.
 */
export const KafkaSecurityEnv = z.object({
  /** `none` only for a broker that authenticates nobody. */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain', 'none']).default('scram-sha-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers (SASL_SSL); the CA bundle (PEM file) to trust instead of the system's. */
  KAFKA_SSL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
});
export type KafkaSecurityEnv = z.infer<typeof KafkaSecurityEnv>;

export type KafkaSecurity = { sasl?: KafkaCredentials; tls?: KafkaTls };

/**
 * SASL credentials unless the mechanism is `none`, TLS with the CA file's certificates; or the
 * problems, one per variable, for the caller to report as its configuration errors.
 */
export function resolveKafkaSecurity(
  config: KafkaSecurityEnv,
): { ok: true; security: KafkaSecurity } | { ok: false; problems: string[] } {
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
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    security: {
      sasl: mechanism === 'none' ? undefined : { mechanism, username: username!, password: password! },
      tls: config.KAFKA_SSL ? { ca } : undefined,
    },
  };
}

/** For tools: the security settings from the environment, or an Error naming every bad variable. */
export function kafkaSecurityFromEnv(env: Record<string, string | undefined> = process.env): KafkaSecurity {
  const parsed = KafkaSecurityEnv.safeParse(env);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const resolved = resolveKafkaSecurity(parsed.data);
  if (!resolved.ok) throw new Error(resolved.problems.join('; '));
  return resolved.security;
}
