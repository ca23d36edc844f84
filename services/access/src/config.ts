import { allowedDestinationsSetting } from '@agentops/access-anomaly';
import { CommonEnv, ConfigurationError, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const AccessEnv = CommonEnv.extend({
  HTTP_PORT: port(3007),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * killswitch's base URL: a high anomaly quarantines the agent with a kill switch on its id there
   * (POST /v1/killswitches), called with this service's own key (SERVICE_SIGNING_KEY), which
   * killswitch trusts through SERVICE_PRINCIPALS_JWKS.
   */
  KILLSWITCH_URL: z.string().url().default('http://127.0.0.1:3004'),
  /** Events judged per batch at most (one transaction, one produce of the batch's anomalies). */
  ACCESS_BATCH_SIZE: z.coerce.number().int().min(1).max(2000).default(500),
  /**
   * Partitions consumed at once (12: every partition of intents and telemetry); the chunks of one
   * fetch are judged together, an agent's reads and intents merged by event time. 1 with
   * ACCESS_BATCH_SIZE=1 is one event per transaction (bench/access-throughput's baseline).
   */
  ACCESS_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).default(12),
  /**
   * How long after its end the tick closes an agent's bucket (the agent's own next event closes it
   * at once): its last reads and intents are still on their way through ingest and Kafka, on two
   * topics, and a bucket closed under them would count them in the next one.
   */
  ACCESS_CLOSE_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** How often closed buckets are judged, cohort baselines saved and unsent anomalies caught up. */
  ACCESS_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(5000),
  /**
   * Width of one feature bucket (60 s). The demo runs a compressed business day with 2 s buckets,
   * so baselines are learned and drifts judged within its minute.
   */
  ACCESS_BUCKET_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Intents of its own before an agent is judged against itself (until then, its peers'); the demo's minute needs fewer. */
  ACCESS_MIN_OWN_INTENTS: z.coerce.number().int().min(10).max(100_000).default(150),
  /** Intents a cohort must have taught before its baseline judges a new agent. */
  ACCESS_MIN_COHORT_INTENTS: z.coerce.number().int().min(10).max(100_000).default(300),
  /**
   * Egress destinations each tenant allows, as JSON (`{"maison":["mail.maison.example"]}`); guardrail
   * reads the same variable for its flow rules, so set both alike.
   */
  ACCESS_ALLOWED_DESTINATIONS: allowedDestinationsSetting,
});
export type AccessConfig = z.infer<typeof AccessEnv>;

/** Requires the service's own key: without it a high anomaly could not quarantine the agent. */
export function loadAccessConfig(env: Record<string, string | undefined> = process.env): AccessConfig {
  const config = loadConfig(AccessEnv, env);
  if (!config.SERVICE_SIGNING_KEY)
    throw new ConfigurationError([
      'SERVICE_SIGNING_KEY: is required (a high anomaly quarantines the agent through killswitch with its own key; see .env.example)',
    ]);
  return config;
}
