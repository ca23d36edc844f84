import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * What each service's process would find in its environment under the shipped deploy files, read
 * the way docker compose and the kubelet assemble it — so a test can hand it to the service's own
 * config loader. Values that come from outside the repository (compose's `.env`, the Kubernetes
 * Secrets created out of band) are asked of `external`, which names where each would come from.
 */
export type ProcessEnv = Record<string, string>;

/** Where a value not in the repository comes from: a compose `.env` variable, or a Secret's key. */
export type ExternalValue =
  | { from: 'compose-env'; variable: string }
  | { from: 'k8s-secret'; secret: string; key: string; template: string };

export type ExternalValues = (ref: ExternalValue) => string;

interface ComposeFile {
  services: Record<string, { environment?: Record<string, string | number | boolean | null> }>;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`; `$$` is a `$`. */
const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)([^}]*))?\}/g;

/** Every `.env` variable compose interpolates, with whether it has a default. */
export function composeVariables(text: string): Map<string, { hasDefault: boolean }> {
  const found = new Map<string, { hasDefault: boolean }>();
  for (const match of text.matchAll(INTERPOLATION)) {
    const [, name, defaultOp] = match;
    if (!name) continue;
    const hasDefault = defaultOp !== undefined || found.get(name)?.hasDefault === true;
    found.set(name, { hasDefault });
  }
  return found;
}

function interpolate(value: string, external: ExternalValues): string {
  return value.replace(INTERPOLATION, (whole, name: string | undefined, defaultOp, fallback: string) => {
    if (!name) return '$';
    const given = external({ from: 'compose-env', variable: name });
    if (given !== '') return given;
    return defaultOp !== undefined ? fallback : '';
  });
}

/** The environment compose gives `service` (anchors and `<<` merges resolved, values interpolated). */
export function composeEnvironment(root: string, service: string, external: ExternalValues): ProcessEnv {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as ComposeFile;
  const definition = compose.services[service];
  if (!definition) throw new Error(`docker-compose.yml has no service ${service}`);
  return Object.fromEntries(
    Object.entries(definition.environment ?? {}).map(([name, value]) => [
      name,
      interpolate(value === null ? '' : String(value), external),
    ]),
  );
}

interface K8sDocument {
  kind: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: { template: { spec: { containers: K8sContainer[] } } };
}
interface K8sContainer {
  name: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}

const k8sDocuments = (root: string, file: string): K8sDocument[] =>
  parseAllDocuments(readFileSync(join(root, 'deploy/k8s', file), 'utf8'))
    .map((d) => {
      // A duplicate key (two documents run together without `---`) is an error, not a last-one-wins.
      if (d.errors.length) throw new Error(`deploy/k8s/${file}: ${d.errors[0]!.message}`);
      return d.toJS() as K8sDocument | null;
    })
    .filter((d): d is K8sDocument => d !== null);

/**
 * The environment of `service`'s container in deploy/k8s/<service>.yaml: ConfigMaps from
 * configmap.yaml, Secrets as secret.template.yaml declares them (a reference to a Secret or key the
 * template lacks throws: the template is how an operator learns what to create).
 */
export function k8sEnvironment(root: string, service: string, external: ExternalValues): ProcessEnv {
  const configMaps = new Map(
    k8sDocuments(root, 'configmap.yaml')
      .filter((d) => d.kind === 'ConfigMap')
      .map((d) => [d.metadata!.name!, d.data ?? {}]),
  );
  const secrets = new Map(
    k8sDocuments(root, 'secret.template.yaml')
      .filter((d) => d.kind === 'Secret')
      .map((d) => [d.metadata!.name!, d.stringData ?? {}]),
  );
  const secretValue = (secret: string, key: string): string => {
    const keys = secrets.get(secret);
    if (!keys) throw new Error(`${service}: Secret ${secret} is not in deploy/k8s/secret.template.yaml`);
    if (!(key in keys))
      throw new Error(`${service}: Secret ${secret} in secret.template.yaml has no key ${key}`);
    return external({ from: 'k8s-secret', secret, key, template: keys[key]! });
  };
  const configValue = (map: string, key: string): string => {
    const data = configMaps.get(map);
    if (!data || !(key in data)) throw new Error(`${service}: ConfigMap ${map} has no key ${key}`);
    return data[key]!;
  };

  const [deployment] = k8sDocuments(root, `${service}.yaml`).filter((d) => d.kind === 'Deployment');
  if (!deployment) throw new Error(`deploy/k8s/${service}.yaml has no Deployment`);
  const container = deployment.spec!.template.spec.containers.find((c) => c.name === service);
  if (!container) throw new Error(`deploy/k8s/${service}.yaml has no container named ${service}`);

  const env: ProcessEnv = {};
  // envFrom first; `env` entries override them, as the kubelet does.
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const data = configMaps.get(source.configMapRef.name);
      if (!data)
        throw new Error(`${service}: ConfigMap ${source.configMapRef.name} is not in configmap.yaml`);
      Object.assign(env, data);
    }
    if (source.secretRef) {
      const keys = secrets.get(source.secretRef.name);
      if (!keys)
        throw new Error(`${service}: Secret ${source.secretRef.name} is not in secret.template.yaml`);
      for (const key of Object.keys(keys)) env[key] = secretValue(source.secretRef.name, key);
    }
  }
  for (const entry of container.env ?? []) {
    const from = entry.valueFrom;
    if (from?.secretKeyRef) env[entry.name] = secretValue(from.secretKeyRef.name, from.secretKeyRef.key);
    else if (from?.configMapKeyRef)
      env[entry.name] = configValue(from.configMapKeyRef.name, from.configMapKeyRef.key);
    else if (from?.fieldRef)
      env[entry.name] = `${service}-7d9f8-x2k4q`; // the pod's name, say
    else env[entry.name] = String(entry.value ?? '');
  }
  return env;
}
