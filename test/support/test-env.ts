/**
 * The stack integration tests run against: the real broker, PostgreSQL and Redis started by
 * scripts/test.sh. Each run gets its own topic prefix and Redis key prefix, and a database of its
 * own, so runs never see each other's data.
 */
export const TEST_DATABASE = process.env.TEST_DATABASE ?? 'agentops_test';
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${TEST_DATABASE}`;
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export function runPrefix(): string {
  const prefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX;
  if (!prefix)
    throw new Error(
      'AGENTOPS_TEST_TOPIC_PREFIX not set: run integration tests through jest --selectProjects integration',
    );
  return prefix;
}
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
