import { Topics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { IngestConfig } from './config';
import { DECISIONS_RECORD, DECISIONS_WAKE } from './decisions/decisions.handler';
import { IngestModule } from './ingest.module';
import { ingestDatabase } from './persistence/database';
import { SPANS_RECORD } from './traces/spans.handler';

export const ingestBlueprint: ServiceBlueprint<IngestConfig> = {
  name: 'ingest',
  database: () => ingestDatabase(),
  rootModule: (parts) => IngestModule.register(parts),
  // OTLP exports batch spans (4 MiB: the OTLP/HTTP exporters' default batch is far smaller).
  largeBodies: [{ method: 'POST', path: /^\/v1\/traces$/, limit: '4mb' }],
  subscriptions: (config) => [
    {
      // Each instance reads every decision (and review opened) from "now" on, to wake the agents it holds.
      name: DECISIONS_WAKE,
      groupId: `${config.KAFKA_TOPIC_PREFIX}ingest-wake-${config.INSTANCE_ID}-${process.pid}-${Date.now()}`,
      topics: [Topics.decisions.name, Topics.escalations.name],
      fromBeginning: false,
      partitionsConsumedConcurrently: 6,
    },
    {
      // One shared group records each decision (and review task) once, for agents that fetch instead of waiting.
      name: DECISIONS_RECORD,
      groupId: `${config.KAFKA_TOPIC_PREFIX}ingest-decision-record`,
      topics: [Topics.decisions.name, Topics.escalations.name],
      fromBeginning: false,
    },
    {
      // One shared group stores the services' own spans in the embedded trace store.
      name: SPANS_RECORD,
      groupId: `${config.KAFKA_TOPIC_PREFIX}ingest-spans`,
      topics: [Topics.spans.name],
      fromBeginning: false,
      batchedFetch: true,
    },
  ],
};
