import { CommonEnv, loadConfig, port } from '@agentops/service-runtime';
import { z } from 'zod';

export const AuditEnv = CommonEnv.extend({
  HTTP_PORT: port(3005),
  HTTP_HOST: z.string().default('0.0.0.0'),
});
export type AuditConfig = z.infer<typeof AuditEnv>;
export const loadAuditConfig = (env = process.env) => loadConfig(AuditEnv, env);
