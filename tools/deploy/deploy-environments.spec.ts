import { ServiceName, ServiceNames } from '@agentops/contracts';
import { ServiceTokenSigner, generateSigningJwk } from '@agentops/service-runtime';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { AuditEnv, loadAuditConfig } from '../../services/audit/src/config';
import { ConsoleEnv, loadConsoleConfig } from '../../services/console/src/config';
import { EscalationEnv, loadEscalationConfig } from '../../services/escalation/src/config';
import { GuardrailEnv, loadGuardrailConfig } from '../../services/guardrail/src/config';
import { IngestEnv, loadIngestConfig } from '../../services/ingest/src/config';
import { KillswitchEnv, loadKillswitchConfig } from '../../services/killswitch/src/config';
import { AccessEnv, loadAccessConfig } from '../../services/access/src/config';
import { RolloutEnv, loadRolloutConfig } from '../../services/rollout/src/config';
import { auditKeyLines } from '../audit/generate-keys';
import { repoRoot } from '../kafka-access/local-principals';
import {
  ExternalValue,
  ProcessEnv,
  composeEnvironment,
  composeVariables,
  k8sEnvironment,
} from './deploy-environments';

/**
 * Each service's own config loader, given exactly what the shipped deploy files put in its
 * environment, must accept it in production mode (the mode both deploy files run in). So a new
 * required variable without a compose/Kubernetes entry, a Secret the template does not list, or a
 * misspelt variable fails here rather than in an operator's first `up`.
 */
const loaders: Record<ServiceName, { schema: z.ZodObject; load: (env: ProcessEnv) => unknown }> = {
  ingest: { schema: IngestEnv, load: loadIngestConfig },
  guardrail: { schema: GuardrailEnv, load: loadGuardrailConfig },
  escalation: { schema: EscalationEnv, load: loadEscalationConfig },
  killswitch: { schema: KillswitchEnv, load: loadKillswitchConfig },
  audit: { schema: AuditEnv, load: loadAuditConfig },
  console: { schema: ConsoleEnv, load: loadConsoleConfig },
  rollout: { schema: RolloutEnv, load: loadRolloutConfig },
  access: { schema: AccessEnv, load: loadAccessConfig },
};

const root = repoRoot();

/** What an operator generates out of band (.env.example / secret.template.yaml say how), freshly made. */
function generatedSecrets(): ProcessEnv {
  const escalationKey = generateSigningJwk();
  const rolloutKey = generateSigningJwk();
  const accessKey = generateSigningJwk();
  const audit = Object.fromEntries(
    auditKeyLines([])
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    ...audit,
    AUTH_SIGNING_KEYS: JSON.stringify([generateSigningJwk()]),
    ESCALATION_SERVICE_SIGNING_KEY: JSON.stringify(escalationKey),
    ROLLOUT_SERVICE_SIGNING_KEY: JSON.stringify(rolloutKey),
    ACCESS_SERVICE_SIGNING_KEY: JSON.stringify(accessKey),
    SERVICE_PRINCIPALS_JWKS: JSON.stringify({
      escalation: new ServiceTokenSigner('escalation', escalationKey).publicJwks,
      rollout: new ServiceTokenSigner('rollout', rolloutKey).publicJwks,
      access: new ServiceTokenSigner('access', accessKey).publicJwks,
    }),
  };
}
const secrets = generatedSecrets();

/** The Kubernetes Secret keys whose value is a generated secret under another name. */
const k8sSecretAliases: Record<string, string> = {
  'agentops-escalation-key/SERVICE_SIGNING_KEY': 'ESCALATION_SERVICE_SIGNING_KEY',
  'agentops-rollout-key/SERVICE_SIGNING_KEY': 'ROLLOUT_SERVICE_SIGNING_KEY',
  'agentops-access-key/SERVICE_SIGNING_KEY': 'ACCESS_SERVICE_SIGNING_KEY',
};

const external = (ref: ExternalValue): string => {
  if (ref.from === 'compose-env') {
    if (ref.variable in secrets) return secrets[ref.variable]!;
    // Passwords are any string an operator picks; everything else falls back to compose's default.
    return /PASSWORD/.test(ref.variable) ? 'b3f1c0ffee0123456789abcdef012345' : '';
  }
  const alias = k8sSecretAliases[`${ref.secret}/${ref.key}`];
  return secrets[alias ?? ref.key] ?? ref.template;
};

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
    return [];
  } catch (error) {
    return (error as { problems?: string[] }).problems ?? [(error as Error).message];
  }
};

const deployments = {
  'docker-compose.yml': (service: ServiceName) => composeEnvironment(root, service, external),
  'deploy/k8s': (service: ServiceName) => k8sEnvironment(root, service, external),
};

/** Variables read by something other than the services' config schemas. */
const readElsewhere = new Set([
  'NODE_OPTIONS', // Node itself
  'KAFKA_REPLICATION_FACTOR', // tools/topics/create-topics (the init job), shared ConfigMap
  'KAFKA_MIN_INSYNC_REPLICAS',
  'OTEL_EXPORTER_OTLP_ENDPOINT', // the tracing SDK (libs/service-runtime/src/tracing.ts), before the config loads
]);
const readBySomeService = new Set(Object.values(loaders).flatMap(({ schema }) => Object.keys(schema.shape)));

describe.each(Object.entries(deployments))('%s', (_file, environmentOf) => {
  it.each([...ServiceNames])('gives %s every variable it needs to start in production', (service) => {
    const env = environmentOf(service);
    expect(env.AGENTOPS_ENV ?? 'production').toBe('production');
    expect(problemsOf(() => loaders[service].load(env))).toEqual([]);
  });

  it.each([...ServiceNames])('sets no variable for %s that nothing reads', (service) => {
    const unread = Object.keys(environmentOf(service)).filter(
      (name) => !readBySomeService.has(name) && !readElsewhere.has(name),
    );
    expect(unread).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('documents in .env.example every variable it takes from .env without a default', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const undocumented = [...composeVariables(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))]
      .filter(([name, { hasDefault }]) => !hasDefault && !new RegExp(`\\b${name}\\b`).test(example))
      .map(([name]) => name);
    expect(undocumented).toEqual([]);
  });
});

describe('deploy/k8s', () => {
  it('lists every service and the init Job in kustomization.yaml, and never the Secret template', () => {
    const { resources } = parse(readFileSync(join(root, 'deploy/k8s/kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    expect(resources).toEqual(
      expect.arrayContaining(['init-job.yaml', ...ServiceNames.map((s) => `${s}.yaml`)]),
    );
    expect(resources).not.toContain('secret.template.yaml');
  });
});

describe('the check itself', () => {
  it('fails a service whose required variable has no deploy entry', () => {
    const env = composeEnvironment(root, 'audit', external);
    delete env.AUDIT_SIGNING_KEY;
    expect(problemsOf(() => loadAuditConfig(env))).toEqual([
      expect.stringMatching(/^AUDIT_SIGNING_KEY: is required/),
    ]);
  });

  it('refuses a Kubernetes reference to a key the Secret template lacks', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'deploy-'));
    mkdirSync(join(fixture, 'deploy/k8s'), { recursive: true });
    const write = (file: string, text: string) => writeFileSync(join(fixture, 'deploy/k8s', file), text);
    write('configmap.yaml', 'kind: ConfigMap\nmetadata: {name: agentops-config}\ndata: {LOG_LEVEL: info}\n');
    write(
      'secret.template.yaml',
      'kind: Secret\nmetadata: {name: agentops-audit-keys}\nstringData: {AUDIT_KEK: ""}\n',
    );
    write(
      'audit.yaml',
      [
        'kind: Deployment',
        'spec: {template: {spec: {containers: [{name: audit, env: [',
        '  {name: AUDIT_SIGNING_KEY, valueFrom: {secretKeyRef: {name: agentops-audit-keys, key: AUDIT_SIGNING_KEY}}}]}]}}}',
      ].join('\n'),
    );
    try {
      expect(() => k8sEnvironment(fixture, 'audit', external)).toThrow(
        'audit: Secret agentops-audit-keys in secret.template.yaml has no key AUDIT_SIGNING_KEY',
      );
    } finally {
      rmSync(fixture, { recursive: true, force: true });
    }
  });

  it('reads compose interpolation as compose does', () => {
    expect([
      ...composeVariables('a: ${A}\nb: ${B:-x}\nc: ${C:?set C}\nd: $${NOT_A_VARIABLE}\ne: ${E-}'),
    ]).toEqual([
      ['A', { hasDefault: false }],
      ['B', { hasDefault: true }],
      ['C', { hasDefault: false }],
      ['E', { hasDefault: true }],
    ]);
  });
});
