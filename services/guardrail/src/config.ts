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
  CATALOG_REFRESH_MS: z.coerce.number().int().min(1000).default(30_000),
});
export type GuardrailConfig = z.infer<typeof GuardrailEnv>;

export const loadGuardrailConfig = (env = process.env) => loadConfig(GuardrailEnv, env);
