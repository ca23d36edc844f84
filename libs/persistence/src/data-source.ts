import { DataSource, DataSourceOptions } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** Each service owns one schema; no service reads another's tables. */
  schema: string;
  entities: DataSourceOptions['entities'];
  migrations: DataSourceOptions['migrations'];
  poolSize?: number;
  applicationName: string;
}

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
    extra: { max: o.poolSize ?? 10, options: `-c search_path=${o.schema}` },
  };
}

/**
 * Runs a service's pending migrations. The schema itself is created first because TypeORM keeps
 * its migrations table inside it.
 */
export async function migrateServiceSchema(o: ServiceDatabaseOptions): Promise<string[]> {
  const bootstrap = new DataSource({
    type: 'postgres',
    url: o.url,
    applicationName: `${o.applicationName}-migrate`,
  });
  await bootstrap.initialize();
  try {
    // Serialise concurrent migrators (several instances starting at once) on a per-schema lock.
    await bootstrap.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrate:${o.schema}`]);
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${o.schema}"`);
      const ds = new DataSource(serviceDataSourceOptions(o));
      await ds.initialize();
      try {
        const ran = await ds.runMigrations({ transaction: 'each' });
        return ran.map((m) => m.name);
      } finally {
        await ds.destroy();
      }
    } finally {
      await bootstrap.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrate:${o.schema}`]);
    }
  } finally {
    await bootstrap.destroy();
  }
}
