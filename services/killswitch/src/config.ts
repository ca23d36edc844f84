import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const KillswitchEnv = CommonEnv.extend({
  HTTP_PORT: port(3004),
  HTTP_HOST: z.string().default('0.0.0.0'),
});
export type KillswitchConfig = z.infer<typeof KillswitchEnv>;
export const loadKillswitchConfig = (env = process.env) => loadConfig(KillswitchEnv, env);
