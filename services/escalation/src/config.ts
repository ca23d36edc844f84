import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const EscalationEnv = CommonEnv.extend({
  HTTP_PORT: port(3003),
  HTTP_HOST: z.string().default('0.0.0.0'),
});
export type EscalationConfig = z.infer<typeof EscalationEnv>;
export const loadEscalationConfig = (env = process.env) => loadConfig(EscalationEnv, env);
