import { runServiceMain } from '@agentops/service-runtime';
import { consoleBlueprint } from './blueprint';
import { loadConsoleConfig } from './config';

/** The service's process; main.ts loads this module only once the tracing SDK has started. */
export function serve(): Promise<void> {
  return runServiceMain(consoleBlueprint, () => loadConsoleConfig());
}
