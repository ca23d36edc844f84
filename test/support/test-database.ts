import { dropRoles, loginUrl } from '@agentops/persistence';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import {
  DATABASE_SERVICES,
  DatabaseService,
  DeploymentDatabase,
  deploymentRoleNames,
  deploymentRoles,
} from '../../tools/db/migrate';
import { PG_ADMIN_URL, TEST_DATABASE } from './test-env';

/**
 * A test database is a deployment of its own: roles named after it (roles are cluster-wide, runs
 * share the server), each with a password made for this run. The server trusts 127.0.0.1, so the
 * passwords are not checked here, but they are set as a password-auth deployment sets them.
 */
export function testDeployment(database: string = TEST_DATABASE): DeploymentDatabase {
  const secret = process.env.AGENTOPS_TEST_DB_SECRET ?? 'agentops-local-test';
  return {
    adminUrl: `postgres://postgres@127.0.0.1:5432/${database}`,
    logins: Object.fromEntries(
      DATABASE_SERVICES.map((s) => [
        s,
        { password: createHash('sha256').update(`${secret}:${database}:${s}`).digest('hex').slice(0, 32) },
      ]),
    ),
  };
}

/** The URL a service connects with in a test database: its own login role. */
export function serviceDatabaseUrl(service: DatabaseService, database: string = TEST_DATABASE): string {
  const d = testDeployment(database);
  const roles = deploymentRoles(d)[service];
  return loginUrl(d.adminUrl, roles.login, roles.password);
}

/** Drops a test database and the roles made for it (never any other role). */
export async function dropTestDeployment(database: string): Promise<void> {
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dropRoles(admin, deploymentRoleNames(testDeployment(database)));
  } finally {
    await admin.end();
  }
}
