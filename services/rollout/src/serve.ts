import { runServiceMain } from '@agentops/service-runtime';
import { rolloutBlueprint } from './blueprint';
import { loadRolloutConfig } from './config';

/** The service's process; main.ts loads this module only once the tracing SDK has started. */
export function serve(): Promise<void> {
  return runServiceMain(rolloutBlueprint, () => loadRolloutConfig());
}
