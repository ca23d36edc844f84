import { runServiceMain } from '@agentops/service-runtime';
import { ingestBlueprint } from './blueprint';
import { loadIngestConfig } from './config';

/** The service's process; main.ts loads this module only once the tracing SDK has started. */
export function serve(): Promise<void> {
  return runServiceMain(ingestBlueprint, () => loadIngestConfig());
}
