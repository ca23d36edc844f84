import { allowedDestinationsSetting } from '@agentops/access-anomaly';
import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const GuardrailEnv = CommonEnv.extend({
  HTTP_PORT: port(3002),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** How long an allow stays valid for the agent to act on it. */
  DECISION_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(5 * 60_000),
  /** Intents decided together, at most (one chunk of one partition's fetch); 1 decides one at a time. */
  INTENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  CATALOG_REFRESH_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Egress destinations each tenant allows, as JSON (`{"maison":["mail.maison.example"]}`): the
   * flow rules deny an egress intent elsewhere after a read of customer data. The access service
   * reads the same variable; set both alike.
   */
  ACCESS_ALLOWED_DESTINATIONS: allowedDestinationsSetting,
});
export type GuardrailConfig = z.infer<typeof GuardrailEnv>;

export const loadGuardrailConfig = (env = process.env) => loadConfig(GuardrailEnv, env);
