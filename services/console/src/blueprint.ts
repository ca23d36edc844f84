import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { ConsoleConfig } from './config';
import { ConsoleModule } from './console.module';
import { consoleDatabase } from './persistence/database';
import { LIVE_TRAFFIC_SUBSCRIPTION } from './subscriptions';

export const consoleBlueprint: ServiceBlueprint<ConsoleConfig> = {
  name: 'console',
  database: () => consoleDatabase(),
  rootModule: (parts) => ConsoleModule.register(parts),
  // The proxy passes on what guardrail itself accepts (services/guardrail/src/blueprint.ts).
  largeBodies: [
    { method: 'PUT', path: /^\/api\/guardrail\/v1\/context\/[^/]+\/catalog$/, limit: '8mb' },
    { method: 'PUT', path: /^\/api\/guardrail\/v1\/context\/[^/]+\/retail-facts$/, limit: '1mb' },
    { method: 'POST', path: /^\/api\/guardrail\/v1\/policies\/sets$/, limit: '1mb' },
    { method: 'POST', path: /^\/api\/guardrail\/v1\/knowledge\/[^/]+\/imports$/, limit: '17mb' },
  ],
  // The policy fire counts read decisions in batches: policies/policy-fire-decisions.consumer.ts.
  subscriptions: (config) => [
    {
      // Every console instance sees all traffic (its own group), from now on: the overview is live.
      name: LIVE_TRAFFIC_SUBSCRIPTION,
      groupId: `${config.KAFKA_TOPIC_PREFIX}console-live-${config.INSTANCE_ID}`,
      topics: [Topics.intents.name, Topics.decisions.name],
      fromBeginning: false,
      // Not `batchedFetch`: the window learns an agent's role from its intent, and a batched fetch
      // hands over an intent and its decision together, their topics in either order (the decision
      // then counted under role "unknown" — console-api e2e).
    },
  ],
};
