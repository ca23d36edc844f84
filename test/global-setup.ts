// globalSetup runs outside jest's module mapper, and imports are hoisted: register the
// @agentops/* aliases first, then load the setup that uses them.
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.base.json';

export default async function globalSetup(): Promise<void> {
  register({ baseUrl: `${__dirname}/..`, paths: compilerOptions.paths });
  const { setupIntegrationStack } =
    (await import('./support/stack-setup')) as typeof import('./support/stack-setup');
  await setupIntegrationStack();
}
