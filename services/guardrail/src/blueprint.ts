import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { GuardrailConfig } from './config';
import { GuardrailModule } from './guardrail.module';
import { guardrailDatabase } from './persistence/database';

export const guardrailBlueprint: ServiceBlueprint<GuardrailConfig> = {
  name: 'guardrail',
  database: () => guardrailDatabase(),
  rootModule: (parts) => GuardrailModule.register(parts),
  subscriptions: (config) => [
    {
      name: 'intents',
      groupId: `${config.KAFKA_TOPIC_PREFIX}guardrail`,
      topics: [Topics.intents.name],
      // A new deployment must decide intents proposed while it was down, not skip them.
      fromBeginning: true,
      maxWaitTimeInMs: 5,
      // Partitions are decided in parallel; order within an agent's partition is kept.
      partitionsConsumedConcurrently: 6,
    },
  ],
};
