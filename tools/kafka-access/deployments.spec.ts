import { ServiceNames } from '@agentops/contracts';
import { defaultPrincipalNames } from '@agentops/messaging';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describeBinding, main } from './kafka-access';
import { repoRoot } from './local-principals';

const root = repoRoot();
const compose = parseAllDocuments(readFileSync(join(root, 'docker-compose.yml'), 'utf8'))[0].toJS() as {
  services: Record<string, { environment?: Record<string, string>; command?: string[] }>;
};
const k8s = (file: string) =>
  parseAllDocuments(readFileSync(join(root, 'deploy/k8s', file), 'utf8')).map((d) => d.toJS()) as {
    kind: string;
    spec?: {
      template: { spec: { containers: { env?: { name: string; value?: string; valueFrom?: unknown }[] }[] } };
    };
  }[];

/** The deployment files name the principals of libs/contracts KafkaAccess, each service its own. */
describe('deployments follow the Kafka principal table', () => {
  it('gives every compose service its own principal and password', () => {
    for (const service of ServiceNames) {
      const env = compose.services[service].environment!;
      expect(env.KAFKA_SASL_USERNAME).toBe(defaultPrincipalNames()[service]);
      expect(env.KAFKA_SASL_PASSWORD).toBe(`\${KAFKA_PASSWORD_${service.toUpperCase()}}`);
      expect(compose.services['kafka-users'].environment).toHaveProperty(
        `KAFKA_PASSWORD_${service.toUpperCase()}`,
      );
    }
    expect(compose.services['kafka-users'].command!.join('\n')).toContain(
      `for service in ${ServiceNames.join(' ')}; do`,
    );
  });

  it('gives every Kubernetes Deployment its own principal, and the init Job creates them all', () => {
    for (const service of ServiceNames) {
      const [deployment] = k8s(`${service}.yaml`).filter((d) => d.kind === 'Deployment');
      const env = deployment.spec!.template.spec.containers[0].env!;
      expect(env.find((e) => e.name === 'KAFKA_SASL_USERNAME')?.value).toBe(defaultPrincipalNames()[service]);
      expect(env.find((e) => e.name === 'KAFKA_SASL_PASSWORD')?.valueFrom).toEqual({
        secretKeyRef: { name: 'agentops-kafka', key: `${service}-password` },
      });
    }
    expect(readFileSync(join(root, 'deploy/k8s/init-job.yaml'), 'utf8')).toContain(
      `for service in ${ServiceNames.join(' ')}; do`,
    );
    expect(readdirSync(join(root, 'deploy/k8s'))).toContain('init-job.yaml');
  });
});

describe('kafka-access', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      return { code: await main(argv, env), out: out.join('') };
    } finally {
      spy.mockRestore();
    }
  };

  it('lists the principals, one per line', async () => {
    expect(await run(['principals'])).toEqual({
      code: 0,
      out: ServiceNames.map((s) => `agentops-${s}\n`).join(''),
    });
  });

  it("prints a deployment's rules without touching the broker", async () => {
    const { code, out } = await run(['acls'], { KAFKA_TOPIC_PREFIX: 'prod.' });
    expect(code).toBe(0);
    expect(out).toContain('User:agentops-ingest WRITE topic prod.agentops.intents.v1\n');
    expect(out).toContain('User:agentops-guardrail READ group prod.guardrail*\n');
    expect(out).not.toContain('User:agentops-console WRITE topic prod.agentops.intents.v1');
  });

  it('describes a rule in one line', () => {
    expect(
      describeBinding({
        principal: 'User:a',
        resourceType: 'topic',
        patternType: 'literal',
        resourceName: 't',
        operation: 'read',
      }),
    ).toBe('User:a READ topic t');
  });
});
