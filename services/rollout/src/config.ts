import { CommonEnv, ConfigurationError, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const RolloutEnv = CommonEnv.extend({
  HTTP_PORT: port(3006),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * killswitch's base URL: an automatic rollback flips a kill switch on the candidate's cohort
   * there (POST /v1/killswitches), called with this service's own key (SERVICE_SIGNING_KEY),
   * which killswitch trusts through SERVICE_PRINCIPALS_JWKS.
   */
  KILLSWITCH_URL: z.string().url().default('http://127.0.0.1:3004'),
  /** How long a fact waits for its intent (topics are not ordered with each other) before it is dropped. */
  ROLLOUT_PENDING_FACT_TTL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  /** Events per chunk of the counting consumer, at most: one transaction per rollout per chunk. */
  ROLLOUT_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** Partitions the counting consumer reads at once (chunks of one rollout serialise on its row lock). */
  ROLLOUT_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(32).default(3),
  /** How often dwell-only advances, unsent transitions and missing halts are looked at. */
  ROLLOUT_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});
export type RolloutConfig = z.infer<typeof RolloutEnv>;
/** Requires the service's own key: without it an automatic rollback could not halt the candidate. */
export function loadRolloutConfig(env: Record<string, string | undefined> = process.env): RolloutConfig {
  const config = loadConfig(RolloutEnv, env);
  if (!config.SERVICE_SIGNING_KEY)
    throw new ConfigurationError([
      'SERVICE_SIGNING_KEY: is required (an automatic rollback flips a kill switch through killswitch with its own key; see .env.example)',
    ]);
  return config;
}
