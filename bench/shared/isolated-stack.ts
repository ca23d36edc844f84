import { ServiceName, TopicSpec, allTopics } from '@agentops/contracts';
import { BaseServiceConfig, RunningService, ServiceBlueprint, startService } from '@agentops/service-runtime';
import { KafkaAdmin, KafkaClient, ensureTopics } from '@agentops/messaging';
import { SchemaRoles, createRedis, loginUrl } from '@agentops/persistence';
import { Client } from 'pg';
import { DatabaseService, migrateAll } from '../../tools/db/migrate';
import {
  LocalPrefixAccess,
  grantLocalPrefix,
  localAdminKafka,
  serviceKafkaEnv,
} from '../../tools/kafka-access/local-principals';

/**
 * A private corner of the shared local stack for one benchmark run: its own topic prefix, database
 * and Redis key prefix, so a run neither sees nor disturbs the dev stack or a test run. The broker
 * authenticates as in production: the run's services connect as their own principals, with the
 * ACLs for the run's prefixes (revoked by the teardown).
 */
export interface IsolatedStack {
  brokers: string[];
  topicPrefix: string;
  /** The admin's URL (migrations, probes). */
  databaseUrl: string;
  /** Each service's own role, as the migrations created it (no password: local trust auth). */
  roles: Record<DatabaseService, SchemaRoles>;
  /** The URL a service connects with: its login role. */
  serviceUrl(service: DatabaseService): string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** An admin-side client (the broker's super user) for the benchmark's own topics and probes. */
  kafka: KafkaClient;
  /** ACL rules granted for this run's prefixes. */
  grants: LocalPrefixAccess[];
}

/** What a service booted by a benchmark needs to connect as its own principal. */
export function benchServiceKafkaEnv(service: ServiceName): Record<string, string> {
  return serviceKafkaEnv(service);
}

/** A service instance in the bench's process, connected to Kafka as its own principal, as deployed. */
export function bootBenchService<C extends BaseServiceConfig>(
  bp: ServiceBlueprint<C>,
  load: (env: Record<string, string>) => C,
  env: Record<string, string>,
): Promise<RunningService> {
  return startService(bp, load({ ...benchServiceKafkaEnv(bp.name as ServiceName), ...env }));
}

export interface StackSettings {
  /** e.g. `bench` → topics `bench<ts>.agentops.intents.v1`. */
  name: string;
  database: string;
  brokers?: string[];
  pgAdminUrl?: string;
  redisUrl?: string;
}

const PG_HOST_URL = 'postgres://postgres@127.0.0.1:5432';

export async function prepareIsolatedStack(settings: StackSettings): Promise<IsolatedStack> {
  const topicPrefix = `${settings.name}${Date.now().toString(36)}.`;
  const brokers = settings.brokers ?? (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const databaseUrl = `${PG_HOST_URL}/${settings.database}`;
  await recreateDatabase(settings.pgAdminUrl ?? `${PG_HOST_URL}/postgres`, settings.database);
  const roles = await migrateAll(databaseUrl);

  const kafka = localAdminKafka(brokers, topicPrefix, `agentops-${settings.name}-admin`);
  const stack: IsolatedStack = {
    brokers,
    topicPrefix,
    databaseUrl,
    roles,
    serviceUrl: (service) => loginUrl(databaseUrl, roles[service].login),
    redisUrl: settings.redisUrl ?? 'redis://127.0.0.1:6379',
    redisKeyPrefix: `agentops-${settings.name}:${topicPrefix}`,
    kafka,
    grants: [],
  };
  await prepareTopicsFor(stack, allTopics, topicPrefix);
  return stack;
}

/** Topics under `prefix` (a sub-prefix of the run's, say) and the service principals' ACLs on them. */
export async function prepareTopicsFor(
  stack: IsolatedStack,
  topics: readonly TopicSpec[],
  prefix: string,
): Promise<void> {
  await ensureTopicsReady(stack.kafka, topics, prefix);
  stack.grants.push(await grantLocalPrefix(stack.brokers, prefix));
}

async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  // Interpolated into DDL (identifiers cannot be bound parameters), so only plain names pass.
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) {
    throw new Error(`unsafe database name ${JSON.stringify(database)}`);
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // FORCE: a previous run that crashed may still hold connections.
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
}

/** Topics for this run; `ensureTopics` waits until every partition has a leader. */
/** A bench's own scratch topic: 6 partitions keyed by agent, deleted after an hour if left behind. */
export function benchTopicSpec(name: string, description: string): TopicSpec {
  return {
    name,
    key: 'agent id',
    partitions: 6,
    cleanupPolicy: 'delete',
    retentionMs: 3_600_000,
    description,
  };
}

export async function ensureTopicsReady(
  kafka: KafkaClient,
  topics: readonly TopicSpec[],
  prefix: string,
): Promise<void> {
  await ensureTopics(kafka, topics, { prefix, replicationFactor: 1, minInsyncReplicas: 1 });
}

/**
 * Removes what the run left on the shared broker and in Redis: every topic and consumer group
 * under the prefix, its ACL rules, and the keys under the Redis prefix. The database stays for inspection; the
 * next run recreates it.
 */
export async function teardownIsolatedStack(stack: IsolatedStack): Promise<void> {
  await KafkaAdmin.with(stack.kafka, async (admin) => {
    const groups = (await admin.listGroups()).filter((id) => id.startsWith(stack.topicPrefix));
    await admin.deleteGroups(groups).catch(() => undefined);
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.topicPrefix));
    await admin.deleteTopics(topics, 30_000);
  });
  for (const grant of stack.grants) await grant.revoke();
  await deleteRedisKeys(stack.redisUrl, stack.redisKeyPrefix);
}

async function deleteRedisKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  const redis = createRedis(redisUrl, 'agentops-bench-cleanup');
  try {
    // SCAN, not KEYS: never block a Redis that other people are using.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit().catch(() => undefined);
  }
}
