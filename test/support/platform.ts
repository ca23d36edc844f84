import {
  BaseServiceConfig,
  RunningService,
  ServiceBlueprint,
  StartOptions,
  startService,
} from '@agentops/service-runtime';
import { auditBlueprint } from '../../services/audit/src/blueprint';
import { loadAuditConfig } from '../../services/audit/src/config';
import { consoleBlueprint } from '../../services/console/src/blueprint';
import { loadConsoleConfig } from '../../services/console/src/config';
import { escalationBlueprint } from '../../services/escalation/src/blueprint';
import { loadEscalationConfig } from '../../services/escalation/src/config';
import { guardrailBlueprint } from '../../services/guardrail/src/blueprint';
import { loadGuardrailConfig } from '../../services/guardrail/src/config';
import { ingestBlueprint } from '../../services/ingest/src/blueprint';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { killswitchBlueprint } from '../../services/killswitch/src/blueprint';
import { loadKillswitchConfig } from '../../services/killswitch/src/config';
import { accessBlueprint } from '../../services/access/src/blueprint';
import { loadAccessConfig } from '../../services/access/src/config';
import { rolloutBlueprint } from '../../services/rollout/src/blueprint';
import { loadRolloutConfig } from '../../services/rollout/src/config';
import { serviceDatabaseUrl } from './test-database';
import { serviceKafkaEnv } from '../../tools/kafka-access/local-principals';
import {
  KAFKA_BROKERS,
  TEST_AUDIT_KEK,
  TEST_DATABASE,
  REDIS_TEST_URL,
  TEST_DATABASE_URL,
  TEST_SERVICE_KEYS,
  TEST_SERVICE_PRINCIPALS,
  TEST_SIGNING_JWKS,
  TEST_TOKEN_SIGNER,
  runPrefix,
} from './test-env';

/** The environment of a test service; an override of `undefined` removes a variable. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const prefix = runPrefix();
  const env: Record<string, string | undefined> = {
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: REDIS_TEST_URL,
    REDIS_KEY_PREFIX: `agentops-test:${prefix}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Pinned public keys: a service booted without the console still verifies its tokens.
    AUTH_JWKS: JSON.stringify(TEST_TOKEN_SIGNER.publicJwks()),
    SERVICE_PRINCIPALS_JWKS: JSON.stringify(TEST_SERVICE_PRINCIPALS),
    AUDIT_KEK: TEST_AUDIT_KEK,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    // Local test servers stand in for agents' callback endpoints and webhooks (loopback http).
    AGENTOPS_ENV: 'development',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

const services = {
  ingest: [ingestBlueprint, loadIngestConfig],
  guardrail: [guardrailBlueprint, loadGuardrailConfig],
  escalation: [escalationBlueprint, loadEscalationConfig],
  killswitch: [killswitchBlueprint, loadKillswitchConfig],
  audit: [auditBlueprint, loadAuditConfig],
  console: [consoleBlueprint, loadConsoleConfig],
  rollout: [rolloutBlueprint, loadRolloutConfig],
  access: [accessBlueprint, loadAccessConfig],
} as const;

export type ServiceName = keyof typeof services;

/** Each service's own secrets: the signing keys to the console only, a service key to its owner. */
function secretsOf(name: ServiceName): Record<string, string> {
  return {
    ...(name === 'console' ? { AUTH_SIGNING_KEYS: JSON.stringify(TEST_SIGNING_JWKS) } : {}),
    ...(TEST_SERVICE_KEYS[name] ? { SERVICE_SIGNING_KEY: JSON.stringify(TEST_SERVICE_KEYS[name]) } : {}),
  };
}

/**
 * Boots one real service instance in this process, on the real stack, connected as its own
 * database role (of the run's database, or of `TEST_DATABASE` in env for a suite with its own)
 * and as its own Kafka principal.
 */
export async function bootService(
  name: ServiceName,
  env: Record<string, string | undefined> = {},
  options: StartOptions = {},
): Promise<RunningService> {
  const [blueprint, load] = services[name] as unknown as [
    ServiceBlueprint<BaseServiceConfig>,
    (env: Record<string, string>) => BaseServiceConfig,
  ];
  return startService(
    blueprint,
    load(
      testEnv({
        INSTANCE_ID: `${name}-${Math.random().toString(36).slice(2, 8)}`,
        DATABASE_URL: serviceDatabaseUrl(name, env.TEST_DATABASE ?? TEST_DATABASE),
        ...serviceKafkaEnv(name),
        ...secretsOf(name),
        ...env,
      }),
    ),
    options,
  );
}

export async function bootPlatform(
  names: ServiceName[] = ['audit', 'guardrail', 'escalation', 'killswitch', 'ingest'],
) {
  const running: Partial<Record<ServiceName, RunningService>> = {};
  for (const name of names) running[name] = await bootService(name);
  return {
    services: running,
    async close() {
      for (const name of [...names].reverse()) await running[name]?.close();
    },
  };
}

/**
 * All eight services wired as a deployment wires them: escalation asks guardrail for context,
 * rollout halts candidates and access quarantines agents through killswitch, the console proxies
 * to the other seven. Booted in
 * dependency order; close them in reverse.
 */
export async function bootWiredPlatform(
  env: Record<string, string | undefined> = {},
): Promise<Record<ServiceName, RunningService>> {
  const audit = await bootService('audit', env);
  const guardrail = await bootService('guardrail', env);
  const escalation = await bootService('escalation', {
    ...env,
    GUARDRAIL_URL: guardrail.url,
  });
  const killswitch = await bootService('killswitch', env);
  const rollout = await bootService('rollout', {
    ...env,
    KILLSWITCH_URL: killswitch.url,
  });
  const access = await bootService('access', {
    ...env,
    KILLSWITCH_URL: killswitch.url,
  });
  const ingest = await bootService('ingest', env);
  const console = await bootService('console', {
    ...env,
    INGEST_URL: ingest.url,
    GUARDRAIL_URL: guardrail.url,
    ESCALATION_URL: escalation.url,
    KILLSWITCH_URL: killswitch.url,
    AUDIT_URL: audit.url,
    ROLLOUT_URL: rollout.url,
    ACCESS_URL: access.url,
  });
  return { audit, guardrail, escalation, killswitch, rollout, access, ingest, console };
}

/** Closes what bootWiredPlatform started, in reverse boot order, whichever of them did start. */
export async function closeWiredPlatform(
  svc: Partial<Record<ServiceName, RunningService>> | undefined,
): Promise<void> {
  const bootOrder: ServiceName[] = [
    'audit',
    'guardrail',
    'escalation',
    'killswitch',
    'rollout',
    'access',
    'ingest',
    'console',
  ];
  for (const name of bootOrder.reverse()) await svc?.[name]?.close();
}

/** Polls until `probe` returns a value, or fails with the last error after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
