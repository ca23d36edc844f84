import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const KillswitchEnv = CommonEnv.extend({
  HTTP_PORT: port(3004),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** Circuit-breaker definitions (`*.yaml`); an invalid file stops the start, naming the field. */
  BREAKERS_DIR: z.string().default('policies/breakers'),
  /** How often breakers move from open to half-open to closed (their timers' resolution). */
  BREAKER_TICK_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
});
export type KillswitchConfig = z.infer<typeof KillswitchEnv>;
export const loadKillswitchConfig = (env = process.env) => loadConfig(KillswitchEnv, env);
