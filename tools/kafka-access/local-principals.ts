/**
 * The local broker's principals (deploy/local/kafka.sh keeps their passwords under
 * `<state dir>/kafka/credentials`, mode 600): the admin for setup, one per service for everything
 * else. Scripts, tests and benchmarks read them from here; nothing prints them.
 */
import { ServiceName, ServiceNames } from '@agentops/contracts';
import {
  KafkaClient,
  KafkaAclBinding,
  KafkaCredentials,
  applyKafkaAcls,
  createKafka,
  defaultPrincipalNames,
  kafkaAclBindings,
  revokeKafkaAcls,
  silentLogger,
} from '@agentops/messaging';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export function repoRoot(start = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'deploy/local/kafka.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no deploy/local/kafka.sh above ${start}`);
  }
}

export function localKafkaDir(env: Record<string, string | undefined> = process.env): string {
  return path.join(env.AGENTOPS_STATE_DIR || path.join(repoRoot(), '.local'), 'kafka');
}

function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new Error(
      `no ${what} in ${file}: start the local broker with \`bash deploy/local/up.sh\` (or \`npm test\` / \`npm run demo\`, which do)`,
    );
  }
}

/** The super user: topics, users and ACLs only. */
export function localAdminCredentials(dir = localKafkaDir()): KafkaCredentials {
  const password = readSecret(path.join(dir, 'credentials/admin'), 'Kafka admin password');
  return { mechanism: 'scram-sha-512', username: 'admin', password };
}

export function localPrincipalCredentials(service: ServiceName, dir = localKafkaDir()): KafkaCredentials {
  const username = defaultPrincipalNames()[service];
  const password = readSecret(path.join(dir, 'credentials/users', username), `password of ${username}`);
  return { mechanism: 'scram-sha-512', username, password };
}

/** The environment a service process needs to connect as its own principal. */
export function serviceKafkaEnv(service: ServiceName, dir = localKafkaDir()): Record<string, string> {
  const c = localPrincipalCredentials(service, dir);
  return {
    KAFKA_SASL_MECHANISM: c.mechanism,
    KAFKA_SASL_USERNAME: c.username,
    KAFKA_SASL_PASSWORD: c.password,
  };
}

/**
 * Makes sure the running local broker knows every service principal (SCRAM credentials through
 * `kafka.sh users`: no JVM when it already has them all).
 */
export function ensureLocalPrincipals(env: NodeJS.ProcessEnv = process.env): void {
  const names = ServiceNames.map((s) => defaultPrincipalNames()[s]);
  const result = spawnSync('bash', [path.join(repoRoot(), 'deploy/local/kafka.sh'), 'users', ...names], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(
      `kafka.sh users failed: ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
}

export interface LocalPrefixAccess {
  bindings: KafkaAclBinding[];
  /** Removes this prefix's rules again (the principals stay, other prefixes are untouched). */
  revoke(): Promise<void>;
}

/**
 * The service principals' ACLs for one topic prefix on the local broker — a test run's or a
 * benchmark's own topics — applied as admin. Rules are per prefix, so runs sharing the broker
 * never touch each other's.
 */
export async function grantLocalPrefix(brokers: string[], topicPrefix: string): Promise<LocalPrefixAccess> {
  ensureLocalPrincipals();
  const admin = localAdminKafka(brokers, topicPrefix);
  const bindings = kafkaAclBindings(topicPrefix);
  await applyKafkaAcls(admin, bindings, topicPrefix);
  return { bindings, revoke: () => revokeKafkaAcls(admin, bindings) };
}

export function localAdminKafka(
  brokers: string[],
  topicPrefix = '',
  clientId = 'agentops-local-admin',
): KafkaClient {
  return createKafka({ brokers, clientId, topicPrefix, sasl: localAdminCredentials() }, silentLogger);
}
