// globalSetup runs outside jest's module mapper, and imports are hoisted: register the
// @agentops/* aliases first, then load the setup that uses them.
import { randomBytes } from 'node:crypto';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.base.json';

export default async function globalSetup(): Promise<void> {
  register({ baseUrl: `${__dirname}/..`, paths: compilerOptions.paths });
  // Named before test-env loads (it reads them once): every suite of this run shares them.
  const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  process.env.AGENTOPS_TEST_TOPIC_PREFIX = `t${run}.`;
  process.env.TEST_DATABASE ??= `agentops_test_${run}`;
  // Passwords of this run's database roles derive from it (test/support/test-database.ts).
  process.env.AGENTOPS_TEST_DB_SECRET ??= randomBytes(16).toString('hex');
  const { setupIntegrationStack } =
    (await import('./support/stack-setup')) as typeof import('./support/stack-setup');
  await setupIntegrationStack();
}
