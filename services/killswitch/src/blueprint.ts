import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { KillswitchConfig } from './config';
import { KillswitchModule } from './killswitch.module';
import { killswitchDatabase } from './persistence/database';

export const killswitchBlueprint: ServiceBlueprint<KillswitchConfig> = {
  name: 'killswitch',
  database: () => killswitchDatabase(),
  rootModule: (parts) => KillswitchModule.register(parts),
  subscriptions: (config) => [
    {
      name: 'signals',
      groupId: `${config.KAFKA_TOPIC_PREFIX}killswitch`,
      topics: [Topics.decisions.name, Topics.verifications.name, Topics.telemetry.name],
      fromBeginning: true,
      maxWaitTimeInMs: 50,
    },
  ],
};
