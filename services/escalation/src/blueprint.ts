import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { EscalationConfig } from './config';
import { EscalationModule } from './escalation.module';
import { escalationDatabase } from './persistence/database';

export const escalationBlueprint: ServiceBlueprint<EscalationConfig> = {
  name: 'escalation',
  database: () => escalationDatabase(),
  rootModule: (parts) => EscalationModule.register(parts),
  // The intents are read in batches by tasks/proposed-intents.consumer.ts, in a group of their own.
  subscriptions: (config) => [
    {
      name: 'decisions',
      groupId: `${config.KAFKA_TOPIC_PREFIX}escalation`,
      topics: [Topics.decisions.name, Topics.accessAnomalies.name],
      fromBeginning: true,
    },
  ],
};
