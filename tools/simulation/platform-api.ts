import { mintUserToken } from '@agentops/service-runtime';

/** The platform APIs the simulation uses, as an operator and as reviewers would. */
export interface Endpoints {
  ingest: string;
  guardrail: string;
  escalation: string;
  killswitch: string;
  audit: string;
}

export function endpointsFromEnv(env = process.env): Endpoints {
  return {
    ingest: env.INGEST_URL ?? 'http://127.0.0.1:3001',
    guardrail: env.GUARDRAIL_URL ?? 'http://127.0.0.1:3002',
    escalation: env.ESCALATION_URL ?? 'http://127.0.0.1:3003',
    killswitch: env.KILLSWITCH_URL ?? 'http://127.0.0.1:3004',
    audit: env.AUDIT_URL ?? 'http://127.0.0.1:3005',
  };
}

export async function api<T>(method: string, url: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Two reviewers in the groups policies/escalation/routes.yaml names (escalation enforces them):
 * between them every route's first tier and, for four-eyes routes, a second distinct approver.
 */
export const SIMULATED_REVIEWER_GROUPS = {
  'reviewer-ana': ['reviewers', 'service-reviewers', 'service-leads', 'brand-pricing', 'supply-chain'],
  'lead-marc': ['leads', 'service-leads', 'service-directors', 'brand-directors', 'supply-chain'],
} as const;

export function reviewerTokens(secret: string, tenantId: string) {
  const groups = (id: keyof typeof SIMULATED_REVIEWER_GROUPS) => [...SIMULATED_REVIEWER_GROUPS[id]];
  return Promise.all([
    mintUserToken(
      { userId: 'reviewer-ana', tenantId, roles: ['reviewer'], groups: groups('reviewer-ana') },
      secret,
    ),
    mintUserToken({ userId: 'lead-marc', tenantId, roles: ['lead'], groups: groups('lead-marc') }, secret),
  ]);
}
