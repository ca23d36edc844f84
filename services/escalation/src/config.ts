import { EgressPolicy, egressPolicyFor } from '@agentops/egress';
import { CommonEnv, ConfigurationError, loadConfig, port } from '@agentops/service-runtime';
import { loadRoutingRulesFile } from './routing/routing.tokens';
import { z } from 'zod';

export const EscalationEnv = CommonEnv.extend({
  HTTP_PORT: port(3003),
  HTTP_HOST: z.string().default('0.0.0.0'),
  /**
   * Routing rules (reviewer groups, SLA tiers, four-eyes, timeout outcome); read once at start.
   * Unset: policies/escalation/routes.yaml if present, else one built-in default queue.
   */
  ESCALATION_ROUTES_FILE: z.string().min(1).optional(),
  /**
   * guardrail's base URL, for re-checking reviewer-edited params (POST /v1/evaluations), called
   * with this service's own key (SERVICE_SIGNING_KEY), which guardrail trusts through
   * SERVICE_PRINCIPALS_JWKS.
   */
  GUARDRAIL_URL: z.string().url().default('http://127.0.0.1:3002'),
  /** How often the SLA scheduler looks for tasks past their due time. */
  ESCALATION_SLA_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  /** How often the outbox relay looks for unsent events. */
  ESCALATION_OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** How long a human or timeout decision stays valid for the agent. */
  ESCALATION_DECISION_TTL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  /** Attempts per notification webhook call (exponential backoff from 200 ms). */
  ESCALATION_NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  /** How long stored proposals, unmatched verdicts and sent outbox rows are kept (tasks keep their own copy). */
  ESCALATION_RETENTION_HOURS: z.coerce.number().int().min(1).default(168),
  /** Signs decision callbacks to agents labelled `callbackUrl` (HMAC-SHA256); unset: no callbacks. */
  ESCALATION_CALLBACK_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (generate one with `openssl rand -hex 32`)')
    .optional(),
  /** Delivery attempts per callback (exponential backoff from 500 ms). */
  ESCALATION_CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
});
export type EscalationConfig = z.infer<typeof EscalationEnv>;

/** Also reads the routing rules, so a bad file stops the service before it opens any connection. */
export function loadEscalationConfig(
  env: Record<string, string | undefined> = process.env,
): EscalationConfig {
  const config = loadConfig(EscalationEnv, env);
  if (!config.SERVICE_SIGNING_KEY)
    throw new ConfigurationError([
      'SERVICE_SIGNING_KEY: is required (escalation calls guardrail with its own key; see .env.example)',
    ]);
  try {
    loadRoutingRulesFile(config.ESCALATION_ROUTES_FILE, egressPolicy(config));
  } catch (error) {
    throw new ConfigurationError([(error as Error).message]);
  }
  return config;
}

/** Where callbacks and webhooks may go: https to public addresses; loopback too in development mode. */
export function egressPolicy(config: Pick<EscalationConfig, 'AGENTOPS_ENV'>): EgressPolicy {
  return egressPolicyFor(config.AGENTOPS_ENV);
}
