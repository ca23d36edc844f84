import { runServiceMain } from '@agentops/service-runtime';
import { accessBlueprint } from './blueprint';
import { loadAccessConfig } from './config';

/** The service's process; main.ts loads this module only once the tracing SDK has started. */
export function serve(): Promise<void> {
  return runServiceMain(accessBlueprint, () => loadAccessConfig());
}
