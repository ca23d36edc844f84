import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { GuardrailConfig } from './config';
import { GuardrailModule } from './guardrail.module';
import { guardrailDatabase } from './persistence/database';

export const guardrailBlueprint: ServiceBlueprint<GuardrailConfig> = {
  name: 'guardrail',
  database: () => guardrailDatabase(),
  rootModule: (parts) => GuardrailModule.register(parts),
  largeBodies: [
    // Up to 50,000 SKUs at ~150 bytes each.
    { method: 'PUT', path: /^\/v1\/context\/[^/]+\/catalog$/, limit: '8mb' },
    // Up to 5,000 approved facts, 1,000 competitors and own brands.
    { method: 'PUT', path: /^\/v1\/context\/[^/]+\/retail-facts$/, limit: '1mb' },
    // A tenant's whole policy folder (the retail pack is 33 KB).
    { method: 'POST', path: /^\/v1\/policies\/sets$/, limit: '1mb' },
    // A tenant's whole knowledge base (50,000 products as JSON, YAML or CSV).
    { method: 'POST', path: /^\/v1\/knowledge\/[^/]+\/imports$/, limit: '17mb' },
  ],
  // The intents are read in batches by decisions/intents.consumer.ts, not by the per-message transport.
  subscriptions: (config) => [
    {
      // Every instance follows policy activations (its own group, from now: it booted from PostgreSQL).
      name: 'policies',
      groupId: `${config.KAFKA_TOPIC_PREFIX}guardrail-policies-${config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
      topics: [Topics.policies.name],
      fromBeginning: false,
    },
    {
      // Outcomes are verified against decisions, including those made by humans elsewhere.
      name: 'verification',
      groupId: `${config.KAFKA_TOPIC_PREFIX}guardrail-verification`,
      topics: [Topics.outcomes.name, Topics.decisions.name],
      fromBeginning: true,
      // Not `batchedFetch`: an outcome is judged against the decisions known when it is read, and a
      // batched fetch may hand over a human's approval and the outcome it allowed in either order.
    },
  ],
};
