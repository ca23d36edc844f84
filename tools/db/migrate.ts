import {
  SchemaRoles,
  ServiceSchema,
  databaseNameOf,
  migrateServiceSchema,
  redactUrl,
  resolveSchemaRoles,
  restrictDatabaseConnect,
  rolePrefixFor,
  rolesOf,
} from '@agentops/persistence';
import { Client } from 'pg';
import { consoleDatabase } from '../../services/console/src/persistence/database';
import { auditDatabase } from '../../services/audit/src/persistence/database';
import { escalationDatabase } from '../../services/escalation/src/persistence/database';
import { guardrailDatabase } from '../../services/guardrail/src/persistence/database';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { killswitchDatabase } from '../../services/killswitch/src/persistence/database';
import { rolloutDatabase } from '../../services/rollout/src/persistence/database';
import { accessDatabase } from '../../services/access/src/persistence/database';

/** Each service's schema and migrations; run as an explicit step, never by the ORM at boot. */
export const serviceDatabases = {
  ingest: ingestDatabase,
  guardrail: guardrailDatabase,
  escalation: escalationDatabase,
  killswitch: killswitchDatabase,
  audit: auditDatabase,
  console: consoleDatabase,
  rollout: rolloutDatabase,
  access: accessDatabase,
};
export type DatabaseService = keyof typeof serviceDatabases;
export const DATABASE_SERVICES = Object.keys(serviceDatabases) as DatabaseService[];

/** One deployment's database: the admin connection and how each service's login role is named. */
export interface DeploymentDatabase {
  /** The admin role's URL (superuser, or CREATEROLE and owner of the database). */
  adminUrl: string;
  /** Prefix of every role of the deployment; default: derived from the database name. */
  rolePrefix?: string;
  /** Per service: its login role (default `<prefix>_<service>`) and password. */
  logins?: Partial<Record<DatabaseService, { role?: string; password?: string }>>;
}

export function deploymentRoles(d: DeploymentDatabase): Record<DatabaseService, SchemaRoles> {
  const prefix = d.rolePrefix ?? rolePrefixFor(databaseNameOf(d.adminUrl));
  const roles = Object.fromEntries(
    DATABASE_SERVICES.map((service) => {
      const db: ServiceSchema = serviceDatabases[service]();
      return [service, resolveSchemaRoles(db.schema, db.roles, prefix, d.logins?.[service])];
    }),
  ) as Record<DatabaseService, SchemaRoles>;
  const seen = new Map<string, string>();
  for (const [service, r] of Object.entries(roles)) {
    for (const role of new Set([r.login, r.owner])) {
      const other = seen.get(role);
      if (other)
        throw new Error(`${service} and ${other} would share the role ${role}: give each service its own`);
      seen.set(role, service);
    }
  }
  const admin = decodeURIComponent(new URL(d.adminUrl).username || 'postgres');
  if (seen.has(admin))
    throw new Error(
      `the admin role ${admin} is also a service's role: services must not connect as the admin`,
    );
  return roles;
}

/**
 * Every service's migrations, each schema owned as it declares, then the database closed to every
 * role but this deployment's. Roles are cluster-wide: their names come from the deployment's
 * prefix, so two databases on one server never share one.
 */
export async function migrateAll(
  deployment: DeploymentDatabase | string,
  log: (line: string) => void = () => undefined,
): Promise<Record<DatabaseService, SchemaRoles>> {
  const d = typeof deployment === 'string' ? { adminUrl: deployment } : deployment;
  const roles = deploymentRoles(d);
  for (const service of DATABASE_SERVICES) {
    const ran = await migrateServiceSchema(
      { ...serviceDatabases[service](), url: d.adminUrl, applicationName: `agentops-${service}` },
      roles[service],
      (line) => log(`${service}: ${line}`),
    );
    log(
      `${service}: ${ran.length ? `applied ${ran.join(', ')}` : 'up to date'} (connects as ${roles[service].login})`,
    );
  }
  const admin = new Client({ connectionString: d.adminUrl, application_name: 'agentops-migrate' });
  await admin.connect();
  try {
    const logins = DATABASE_SERVICES.map((s) => roles[s].login);
    if (await restrictDatabaseConnect(admin, logins)) log(`database: CONNECT only for ${logins.join(', ')}`);
    else log('database: CONNECT left as it is (the admin role neither owns the database nor is a superuser)');
  } finally {
    await admin.end();
  }
  return roles;
}

/** Every role migrateAll creates for a deployment (tests and benchmarks drop them afterwards). */
export function deploymentRoleNames(d: DeploymentDatabase): string[] {
  return rolesOf(Object.values(deploymentRoles(d)));
}

/**
 * The deployment from the environment: DATABASE_ADMIN_URL (else DATABASE_URL) as the admin,
 * DATABASE_ROLE_PREFIX, and `<SERVICE>_DATABASE_URL` per service — the URL that service connects
 * with, whose user becomes its login role and whose password is set on it.
 */
export function deploymentFromEnv(env: Record<string, string | undefined> = process.env): DeploymentDatabase {
  const adminUrl =
    env.DATABASE_ADMIN_URL || env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/agentops';
  const database = databaseNameOf(adminUrl);
  const logins: DeploymentDatabase['logins'] = {};
  for (const service of DATABASE_SERVICES) {
    const name = `${service.toUpperCase()}_DATABASE_URL`;
    const url = env[name];
    if (!url) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${name}: not a URL`);
    }
    if (databaseNameOf(url) !== database)
      throw new Error(`${name}: names database ${databaseNameOf(url)}, the migrations run on ${database}`);
    if (!parsed.username) throw new Error(`${name}: names no user (${redactUrl(url)})`);
    logins[service] = {
      role: decodeURIComponent(parsed.username),
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    };
  }
  return { adminUrl, rolePrefix: env.DATABASE_ROLE_PREFIX || undefined, logins };
}

if (require.main === module) {
  Promise.resolve()
    .then(() => migrateAll(deploymentFromEnv(), (l) => console.log(`migrate ${l}`)))
    .catch((error: Error) => {
      console.error(`migrate: failed: ${error.message}`);
      process.exit(1);
    });
}
