import { ServiceBlueprint } from '@agentops/service-runtime';
import { RolloutConfig } from './config';
import { rolloutDatabase } from './persistence/database';
import { RolloutModule } from './rollout.module';

export const rolloutBlueprint: ServiceBlueprint<RolloutConfig> = {
  name: 'rollout',
  database: () => rolloutDatabase(),
  rootModule: (parts) => RolloutModule.register(parts),
  // Intents and their facts are read by RolloutFactsConsumer (a batch consumer), not a Nest subscription.
  subscriptions: () => [],
};
