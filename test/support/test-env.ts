/**
 * The stack integration tests run against: the real broker, PostgreSQL and Redis started by
 * scripts/test.sh. Each run gets its own topic prefix, Redis key prefix and database (named by the
 * global setup after the run), so runs — two work trees on one machine, say — never see each
 * other's data.
 */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

/** The database of this run; the global setup names it (`agentops_test_<run>`) before any suite loads. */
export const TEST_DATABASE = process.env.TEST_DATABASE ?? 'agentops_test';
export const TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${TEST_DATABASE}`;

export function runPrefix(): string {
  const prefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX;
  if (!prefix)
    throw new Error(
      'AGENTOPS_TEST_TOPIC_PREFIX not set: run integration tests through jest --selectProjects integration',
    );
  return prefix;
}
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
/** Key-encryption key of the audit services the tests boot (base64 of 32 bytes). */
export const TEST_AUDIT_KEK = Buffer.alloc(32, 7).toString('base64');
