import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.base.json';

/** Drops this run's database; a crashed run leaves one `agentops_test_<run>` behind, nothing shared. */
export default async function globalTeardown(): Promise<void> {
  register({ baseUrl: `${__dirname}/..`, paths: compilerOptions.paths });
  const { dropTestDatabase } =
    (await import('./support/stack-setup')) as typeof import('./support/stack-setup');
  const { TEST_DATABASE } = (await import('./support/test-env')) as typeof import('./support/test-env');
  if (process.env.KEEP_TEST_DATABASE !== '1') await dropTestDatabase(TEST_DATABASE);
}
