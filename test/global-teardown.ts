import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.base.json';

/**
 * Drops this run's database and revokes the Kafka ACL rules it granted; a crashed run leaves one
 * `agentops_test_<run>` and its prefix's rules behind, nothing shared.
 */
export default async function globalTeardown(): Promise<void> {
  register({ baseUrl: `${__dirname}/..`, paths: compilerOptions.paths });
  const { dropTestDatabase, revokeTestGrants } =
    (await import('./support/stack-setup')) as typeof import('./support/stack-setup');
  const runPrefix = process.env.AGENTOPS_TEST_TOPIC_PREFIX;
  if (runPrefix) await revokeTestGrants(runPrefix);
  const { TEST_DATABASE } = (await import('./support/test-env')) as typeof import('./support/test-env');
  if (process.env.KEEP_TEST_DATABASE !== '1') await dropTestDatabase(TEST_DATABASE);
}
