import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { AccessModule } from './access.module';
import { AccessConfig } from './config';
import { accessDatabase } from './persistence/database';

export const accessBlueprint: ServiceBlueprint<AccessConfig> = {
  name: 'access',
  database: () => accessDatabase(),
  rootModule: (parts) => AccessModule.register(parts),
  subscriptions: (config) => [
    {
      // Both topics are keyed by agent id, so one instance owns all of an agent's events; each
      // agent's state row remembers the offsets it has applied, so a redelivery is not counted twice.
      name: 'access',
      groupId: `${config.KAFKA_TOPIC_PREFIX}access`,
      topics: [Topics.intents.name, Topics.telemetry.name],
      fromBeginning: true,
      // Off the decision path: read in batches (libs/messaging fetch-wait).
      batchedFetch: true,
    },
  ],
};
