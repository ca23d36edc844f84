import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { RolloutConfig } from './config';
import { rolloutDatabase } from './persistence/database';
import { RolloutModule } from './rollout.module';

export const rolloutBlueprint: ServiceBlueprint<RolloutConfig> = {
  name: 'rollout',
  database: () => rolloutDatabase(),
  rootModule: (parts) => RolloutModule.register(parts),
  subscriptions: (config) => [
    {
      // One group for intents and their facts: counts are joined by intent id in PostgreSQL, so
      // the order across topics does not matter (a fact ahead of its intent waits for it).
      name: 'facts',
      groupId: `${config.KAFKA_TOPIC_PREFIX}rollout`,
      topics: [
        Topics.intents.name,
        Topics.decisions.name,
        Topics.verifications.name,
        Topics.escalations.name,
        Topics.outcomes.name,
        Topics.telemetry.name,
      ],
      fromBeginning: true,
      maxWaitTimeInMs: 50,
    },
  ],
};
