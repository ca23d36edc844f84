import { runServiceMain } from '@agentops/service-runtime';
import { killswitchBlueprint } from './blueprint';
import { loadKillswitchConfig } from './config';

/** The service's process; main.ts loads this module only once the tracing SDK has started. */
export function serve(): Promise<void> {
  return runServiceMain(killswitchBlueprint, () => loadKillswitchConfig());
}
