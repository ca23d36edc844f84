import { EgressPolicy } from '@agentops/egress';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RoutingRules, parseRoutingRules } from './routing-rules';

export const ROUTING_RULES = Symbol('ROUTING_RULES');

/** The repository's rules, used when ESCALATION_ROUTES_FILE is unset and the file is present. */
export const DEFAULT_ROUTES_FILE = 'policies/escalation/routes.yaml';

/** Without any rules file (e.g. an image without policies/): one default queue (deny on timeout) and the security reviews'. */
export const BUILT_IN_RULES: RoutingRules = {
  default: {
    name: 'default',
    tiers: [
      { group: 'reviewers', slaMs: 3_600_000 },
      { group: 'leads', slaMs: 3_600_000 },
    ],
    fourEyes: false,
    timeoutOutcome: 'deny',
  },
  routes: [
    {
      // A quarantined agent's data access (issue #17) is for security, never the general queue.
      name: 'security-review',
      match: { actions: ['access.*'], amountField: 'amount' },
      tiers: [
        { group: 'security-reviewers', slaMs: 900_000 },
        { group: 'security-leads', slaMs: 3_600_000 },
      ],
      fourEyes: false,
      timeoutOutcome: 'deny',
    },
  ],
};

/**
 * Read once at start; a bad or missing file named by ESCALATION_ROUTES_FILE stops the service with
 * the file and field named. Unset: the repository's file if present, else the built-in queue.
 * Webhooks are checked against the deployment's egress policy (`egress`) here, and again at send time.
 */
export function loadRoutingRulesFile(path: string | undefined, egress?: EgressPolicy): RoutingRules {
  if (!path) {
    if (!existsSync(resolve(DEFAULT_ROUTES_FILE))) return BUILT_IN_RULES;
    path = DEFAULT_ROUTES_FILE;
  }
  const full = resolve(path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new Error(`ESCALATION_ROUTES_FILE: cannot read ${full}: ${(error as Error).message}`);
  }
  try {
    return parseRoutingRules(text, egress);
  } catch (error) {
    throw new Error(`ESCALATION_ROUTES_FILE ${full}: ${(error as Error).message}`);
  }
}
