import { ServiceName, allTopics } from '@agentops/contracts';
import {
  KafkaClient,
  createKafka,
  ensureTopics,
  kafkaAclBindings,
  revokeKafkaAcls,
  silentLogger,
} from '@agentops/messaging';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  grantLocalPrefix,
  localAdminKafka,
  localKafkaDir,
  localPrincipalCredentials,
} from '../../tools/kafka-access/local-principals';
import { KAFKA_BROKERS } from './test-env';

/**
 * Kafka as the tests meet it: the local broker authenticates everyone (deploy/local/kafka.sh). A
 * run's topics are created by the admin, and the service principals get the ACLs for that run's
 * prefix only (as a deployment's would be), so runs sharing the broker never touch each other's.
 */
const brokers = () => KAFKA_BROKERS.split(',');

/** The super user, for what a deployment's setup does: topics, ACLs, offsets, probes. */
export function adminKafka(prefix = '', clientId = 'agentops-test-admin'): KafkaClient {
  return localAdminKafka(brokers(), prefix, clientId);
}

/** A client authenticated as one service's principal: it may do exactly what that service may. */
export function principalKafka(
  service: ServiceName,
  prefix = '',
  clientId = `agentops-test-${service}`,
): KafkaClient {
  return createKafka(
    { brokers: brokers(), clientId, topicPrefix: prefix, sasl: localPrincipalCredentials(service) },
    silentLogger,
  );
}

/** A client that does not authenticate at all, or with a password the broker does not know. */
export function unauthenticatedKafka(how: 'anonymous' | 'wrong-password', prefix = ''): KafkaClient {
  const sasl =
    how === 'wrong-password'
      ? { ...localPrincipalCredentials('escalation'), password: 'not-the-password-0123456789abcdef' }
      : undefined;
  // One retry: the refusal is the answer, there is nothing to wait for.
  const settings = {
    brokers: brokers(),
    clientId: `agentops-test-${how}`,
    topicPrefix: prefix,
    sasl,
    retries: 1,
  };
  return createKafka(settings, silentLogger);
}

const grantsFile = (runPrefix: string) => join(localKafkaDir(), 'test-grants', runPrefix);

/**
 * Every topic under `prefix` (with a leader per partition) and the service principals' ACLs on
 * them. The prefix is recorded under the run, so the global teardown revokes its rules.
 */
export async function prepareTestTopics(prefix: string): Promise<void> {
  await ensureTopics(adminKafka(prefix, 'agentops-test-setup'), allTopics, {
    prefix,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  await grantLocalPrefix(brokers(), prefix);
  const runPrefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX ?? prefix;
  mkdirSync(join(localKafkaDir(), 'test-grants'), { recursive: true });
  appendFileSync(grantsFile(runPrefix), `${prefix}\n`);
}

/** The global teardown: the rules this run granted go; its topics stay, as before. */
export async function revokeRunGrants(runPrefix: string): Promise<void> {
  let prefixes: string[];
  try {
    prefixes = readFileSync(grantsFile(runPrefix), 'utf8').split('\n').filter(Boolean);
  } catch {
    return;
  }
  const admin = adminKafka('', 'agentops-test-teardown');
  for (const prefix of new Set(prefixes)) await revokeKafkaAcls(admin, kafkaAclBindings(prefix));
  rmSync(grantsFile(runPrefix), { force: true });
}
