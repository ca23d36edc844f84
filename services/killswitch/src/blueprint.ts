import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { KNOWN_AGENTS_SUBSCRIPTION } from './agents/intents.handler';
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
      // Breakers judge windows of minutes: half a second later costs nothing (libs/messaging fetch-wait).
      batchedFetch: true,
    },
    {
      // Which agents exist, so a switch can say how many it covers.
      name: KNOWN_AGENTS_SUBSCRIPTION,
      groupId: `${config.KAFKA_TOPIC_PREFIX}killswitch-known-agents`,
      topics: [Topics.intents.name],
      fromBeginning: true,
      batchedFetch: true,
    },
  ],
};
