import { serviceDataSourceOptions } from '@agentops/persistence';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseService } from '../../tools/db/migrate';
import { serviceDatabaseUrl } from './test-database';

/**
 * An initialised DataSource on this run's database, connected as the service's own login role
 * with its schema on the search path (what the service's repositories get at run time). No
 * migrations run here: the global setup applied them.
 */
export async function serviceDataSource(
  service: DatabaseService,
  applicationName: string,
  entities: DataSourceOptions['entities'] = [],
): Promise<DataSource> {
  const ds = new DataSource(
    serviceDataSourceOptions({
      url: serviceDatabaseUrl(service),
      schema: service,
      entities,
      migrations: [],
      applicationName,
    }),
  );
  return ds.initialize();
}
