import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { rolePrefixFor } from './role-names';
import {
  SchemaRoleSpec,
  SchemaRoles,
  applySchemaGrants,
  provisionSchema,
  resolveSchemaRoles,
} from './schema-roles';

export interface ServiceDatabaseOptions {
  url: string;
  /** Each service owns one schema; no service reads another's tables. */
  schema: string;
  entities: DataSourceOptions['entities'];
  migrations: DataSourceOptions['migrations'];
  /** Who owns the schema and who connects for the service (default: the service's own role owns it). */
  roles?: SchemaRoleSpec;
  poolSize?: number;
  applicationName: string;
  /** SET ROLE on every connection (the migrator acts as the schema's owner). */
  role?: string;
}

/** What a service declares about its database (its blueprint's `database()`). */
export type ServiceSchema = Omit<ServiceDatabaseOptions, 'url' | 'applicationName' | 'role'>;

export function serviceDataSourceOptions(o: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    // Never let the ORM alter tables: schema changes go through reviewed migrations only.
    synchronize: false,
    logging: ['error'],
    applicationName: o.applicationName,
    // Unqualified names in migrations and queries resolve to the service's own schema.
    extra: {
      max: o.poolSize ?? 10,
      options: `-c search_path=${o.schema}${o.role ? ` -c role=${o.role}` : ''}`,
    },
  };
}

/** The database a URL names (the default role prefix of its deployment). */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`database URL names no database: ${redactUrl(url)}`);
  return name;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** `adminUrl` with the user and password of a service's login role. */
export function loginUrl(adminUrl: string, role: string, password?: string): string {
  const u = new URL(adminUrl);
  u.username = role;
  u.password = password ? encodeURIComponent(password) : '';
  return u.toString();
}

/**
 * Runs a service's pending migrations as its schema's owner. `o.url` is the admin role's: it
 * creates the roles and the schema first (TypeORM keeps its migrations table inside the schema),
 * runs every migration with SET ROLE to the owner, so whatever they create belongs to the owner,
 * then re-applies the schema's declared grants.
 */
export async function migrateServiceSchema(
  o: ServiceDatabaseOptions,
  roles: SchemaRoles = resolveSchemaRoles(o.schema, o.roles, rolePrefixFor(databaseNameOf(o.url))),
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const admin = new Client({ connectionString: o.url, application_name: `${o.applicationName}-migrate` });
  await admin.connect();
  try {
    // Serialise concurrent migrators (several instances starting at once) on a per-schema lock.
    await admin.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrate:${o.schema}`]);
    try {
      await provisionSchema(admin, roles, log);
      const ds = new DataSource(serviceDataSourceOptions({ ...o, role: roles.owner }));
      await ds.initialize();
      let ran: string[];
      try {
        ran = (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
      } finally {
        await ds.destroy();
      }
      await applySchemaGrants(admin, roles);
      return ran;
    } finally {
      await admin.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrate:${o.schema}`]);
    }
  } finally {
    await admin.end();
  }
}
