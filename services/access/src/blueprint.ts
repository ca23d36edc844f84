import { ServiceBlueprint } from '@agentops/service-runtime';
import { AccessModule } from './access.module';
import { AccessConfig } from './config';
import { accessDatabase } from './persistence/database';

export const accessBlueprint: ServiceBlueprint<AccessConfig> = {
  name: 'access',
  database: () => accessDatabase(),
  rootModule: (parts) => AccessModule.register(parts),
  // Intents and telemetry are read in batches by monitoring/access-events.consumer.ts, not by the
  // per-message transport.
  subscriptions: () => [],
};
