import Redis from 'ioredis';
import { Client } from 'pg';
import { migrateAll } from '../../tools/db/migrate';
import { prepareTestTopics, revokeRunGrants } from './kafka-access';
import { dropTestDeployment, testDeployment } from './test-database';
import { PG_ADMIN_URL, REDIS_TEST_URL, TEST_DATABASE, TEST_DATABASE_URL } from './test-env';

/**
 * A fresh corner of the running stack: the database dropped, re-created and migrated (its roles
 * created, see test-database.ts), every topic under `prefix` created with a leader for each
 * partition, and the service principals' ACLs on them (kafka-access.ts).
 */
export async function prepareTestStack(database: string, databaseUrl: string, prefix: string): Promise<void> {
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable (${(error as Error).message}); run the tests with \`npm test\`, which starts it`,
    );
  }
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  await migrateAll({ ...testDeployment(database), adminUrl: databaseUrl });
  await prepareTestTopics(prefix);
}

/** The global teardown's Kafka half: the ACL rules this run granted. */
export async function revokeTestGrants(runPrefix: string): Promise<void> {
  await revokeRunGrants(runPrefix);
}

export async function dropTestDatabase(database: string): Promise<void> {
  await dropTestDeployment(database);
}

/**
 * Runs once per integration run: checks the stack is up (scripts/test.sh starts it), creates a
 * fresh database and this run's topics, and applies every service's migrations.
 */
export async function setupIntegrationStack(): Promise<void> {
  const prefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX ?? `t${Date.now().toString(36)}.`;
  process.env.AGENTOPS_TEST_TOPIC_PREFIX = prefix;
  await checkRedis();
  try {
    await prepareTestStack(TEST_DATABASE, TEST_DATABASE_URL, prefix);
  } catch (error) {
    // No teardown follows a failed setup: leave no database or (cluster-wide) role behind.
    await dropTestDeployment(TEST_DATABASE).catch(() => undefined);
    throw error;
  }
}

async function checkRedis(): Promise<void> {
  const redis = new Redis(REDIS_TEST_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${REDIS_TEST_URL} (${(error as Error).message}); run the tests with \`npm test\`, which starts it`,
    );
  } finally {
    redis.disconnect();
  }
}
