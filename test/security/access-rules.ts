import { ServiceName, ServiceNames } from '@agentops/contracts';
import { HumanRole, HumanRoles } from '@agentops/service-runtime';

/**
 * Who may call every HTTP route of the platform: the one declarative table the security matrix
 * (access-matrix.e2e-spec.ts) checks against the running services, and from which the role table
 * of docs/security.md is rendered. Every route a service serves must have exactly one rule here,
 * and every rule must name a route that exists: a new endpoint without a rule fails the suite.
 *
 * - `public`: no credentials (probes, metrics, API descriptions, sign-in, the console's page and
 *   public keys).
 * - `agent`: an agent's API key (`x-api-key`); its tenant and identity come from the key.
 * - `humans`: a bearer token (user token signed by the console, or break-glass operator). `roles`
 *   are the roles that may call (the guard always lets `admin` through, so it is listed);
 *   `'any'` is any authenticated human. `services` are the service principals the route allows.
 * - `proxy`: the console's `/api/<service>/v1/…` proxy, which adds no privilege: the service
 *   behind it authorises the caller's own token.
 *
 * `tenant` says what an allowed principal of tenant B gets on tenant A's data:
 * - `hidden`: A's resource (`probe` names it) answers 404, as an unknown one;
 * - `refused`: naming tenant A (path, body or query in `probe`) answers 403;
 * - `filtered`: B's answer never names A (and `?tenantId=A` is refused or filtered);
 * - `none`: nothing tenant-bound (say why).
 * Placeholders in probes: `{A}` tenant A's id, `{A.agent}`, `{A.switch}`, `{A.task}`,
 * `{A.intent}`, `{A.trace}` (that intent's trace), `{A.event}`, `{A.user}` — tenant A's fixtures in the suite.
 */
// The services are the contracts' list (libs/contracts KafkaAccess), not a second copy of it.
export type { ServiceName };
export const SERVICE_NAMES: ServiceName[] = [...ServiceNames];

export interface Probe {
  /** The path to call instead of the route's own (placeholders allowed). */
  path?: string;
  body?: unknown;
}

export type TenantRule =
  | { expect: 'hidden'; probe: Probe; ownSees?: boolean }
  | { expect: 'refused'; probe: Probe }
  | { expect: 'filtered'; probe?: Probe; ownSees?: boolean }
  | { expect: 'none'; why: string };

export type Who =
  | { kind: 'public'; why: string }
  | { kind: 'agent' }
  | { kind: 'humans'; roles: HumanRole[] | 'any'; services?: ServiceName[]; platformOnly?: string }
  | { kind: 'proxy' };

export interface AccessRule {
  /** The services that serve the route (`*`: every service, e.g. the probes). */
  service: ServiceName | '*';
  /** `METHOD /path` as Nest declares it (`:param` segments). */
  route: string;
  who: Who;
  tenant: TenantRule;
}

const ALL: HumanRole[] = [...HumanRoles];
const noTenant = (why: string): TenantRule => ({ expect: 'none', why });
const humans = (
  roles: HumanRole[] | 'any',
  extra: Omit<Extract<Who, { kind: 'humans' }>, 'kind' | 'roles'> = {},
): Who => ({
  kind: 'humans',
  roles,
  ...extra,
});

export const ACCESS_RULES: AccessRule[] = [
  // Every service: probes and metrics, for the orchestrator and Prometheus on the pod network.
  {
    service: '*',
    route: 'GET /health/live',
    who: { kind: 'public', why: 'liveness probe' },
    tenant: noTenant('no data'),
  },
  {
    service: '*',
    route: 'GET /health/ready',
    who: { kind: 'public', why: 'readiness probe' },
    tenant: noTenant('dependency status only'),
  },
  {
    service: '*',
    route: 'GET /metrics',
    who: { kind: 'public', why: 'Prometheus scrape (pod network only; the console proxy refuses it)' },
    tenant: noTenant('counters without tenant labels'),
  },
  // Every service: its API description (issue #20), public like the probes.
  {
    service: '*',
    route: 'GET /openapi.json',
    who: { kind: 'public', why: 'the OpenAPI 3.1 description of the API' },
    tenant: noTenant('describes routes, never data'),
  },
  {
    service: '*',
    route: 'GET /docs',
    who: { kind: 'public', why: 'the API docs page (Swagger UI)' },
    tenant: noTenant('describes routes, never data'),
  },
  {
    service: '*',
    route: 'GET /docs/:asset',
    who: { kind: 'public', why: "the docs page's scripts and styles (a fixed list of files)" },
    tenant: noTenant('static files'),
  },

  // ingest: the agent API and the agent registry.
  {
    service: 'ingest',
    route: 'POST /v1/intents',
    who: { kind: 'agent' },
    tenant: noTenant('tenant and identity come from the key'),
  },
  {
    service: 'ingest',
    route: 'GET /v1/intents/:intentId/decision',
    who: { kind: 'agent' },
    tenant: { expect: 'hidden', probe: { path: '/v1/intents/{A.intent}/decision' }, ownSees: true },
  },
  {
    service: 'ingest',
    route: 'POST /v1/outcomes',
    who: { kind: 'agent' },
    tenant: noTenant('tenant and identity come from the key'),
  },
  {
    service: 'ingest',
    route: 'POST /v1/telemetry',
    who: { kind: 'agent' },
    tenant: noTenant('tenant and identity come from the key'),
  },
  {
    service: 'ingest',
    route: 'GET /v1/knowledge',
    who: { kind: 'agent' },
    tenant: noTenant("the key's own tenant's knowledge only"),
  },
  {
    service: 'ingest',
    route: 'GET /v1/knowledge/products/:sku',
    who: { kind: 'agent' },
    tenant: noTenant("the key's own tenant's knowledge only"),
  },
  {
    service: 'ingest',
    route: 'GET /v1/knowledge/copy',
    who: { kind: 'agent' },
    tenant: noTenant("the key's own tenant's knowledge only"),
  },
  {
    service: 'ingest',
    route: 'GET /v1/control/stream',
    who: { kind: 'agent' },
    tenant: noTenant("the key's own agent's halts only"),
  },
  {
    service: 'ingest',
    route: 'POST /v1/traces',
    who: { kind: 'agent' },
    tenant: noTenant("tenant and identity come from the key; spans in another agent's trace are refused"),
  },
  {
    service: 'ingest',
    route: 'GET /v1/traces',
    who: humans(['sre', 'auditor', 'policy-admin', 'lead', 'admin']),
    tenant: { expect: 'filtered', probe: { path: '/v1/traces?intentId={A.intent}' }, ownSees: true },
  },
  {
    service: 'ingest',
    route: 'GET /v1/traces/:traceId',
    who: humans(['sre', 'auditor', 'policy-admin', 'lead', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/traces/{A.trace}' }, ownSees: true },
  },
  {
    service: 'ingest',
    route: 'GET /v1/costs',
    who: humans(['sre', 'auditor', 'policy-admin', 'lead', 'admin']),
    tenant: { expect: 'filtered' },
  },
  {
    service: 'ingest',
    route: 'POST /v1/agents',
    who: humans(['admin']),
    tenant: {
      expect: 'refused',
      probe: {
        body: {
          id: 'sec-foreign-agent',
          tenantId: '{A}',
          name: 'x',
          role: 'pricing',
          version: '1',
          region: 'eu',
        },
      },
    },
  },
  {
    service: 'ingest',
    route: 'GET /v1/agents',
    who: humans(['admin', 'sre', 'auditor', 'policy-admin', 'reviewer']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'ingest',
    route: 'PUT /v1/agents/:agentId/scopes',
    who: humans(['admin', 'policy-admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/agents/{A.agent}/scopes', body: { scopes: null } } },
  },
  {
    service: 'ingest',
    route: 'POST /v1/agents/:agentId/keys/rotate',
    who: humans(['admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/agents/{A.agent}/keys/rotate', body: {} } },
  },

  // guardrail: policy sets, retail context, dry runs.
  {
    service: 'guardrail',
    route: 'POST /v1/policies/sets',
    who: humans(['policy-admin', 'admin'], {
      platformOnly: 'the baseline (no tenantId): platform-wide principals only',
    }),
    tenant: {
      expect: 'refused',
      probe: { body: { tenantId: '{A}', files: [{ path: 'p.yaml', content: '{NO_CONSTRAINT}' }] } },
    },
  },
  {
    service: 'guardrail',
    route: 'GET /v1/policies',
    who: humans(['policy-admin', 'auditor', 'sre', 'reviewer', 'admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'guardrail',
    route: 'GET /v1/policies/sets',
    who: humans(['policy-admin', 'auditor', 'admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'guardrail',
    route: 'PUT /v1/context/:tenantId/catalog',
    who: humans(['policy-admin', 'admin']),
    tenant: {
      expect: 'refused',
      probe: {
        path: '/v1/context/{A}/catalog',
        body: {
          items: [
            { sku: 'SEC-1', price: 10, floorPrice: 5, cost: 1, flagship: false, brand: 'b', category: 'c' },
          ],
        },
      },
    },
  },
  {
    service: 'guardrail',
    route: 'PUT /v1/context/:tenantId/retail-facts',
    who: humans(['policy-admin', 'admin']),
    tenant: { expect: 'refused', probe: { path: '/v1/context/{A}/retail-facts', body: {} } },
  },
  {
    service: 'guardrail',
    route: 'POST /v1/knowledge/:tenantId/imports',
    who: humans(['policy-admin', 'admin']),
    tenant: {
      expect: 'refused',
      probe: {
        path: '/v1/knowledge/{A}/imports',
        body: { format: 'json', content: '{"asOf":"2026-12-01T10:00:00Z"}' },
      },
    },
  },
  {
    service: 'guardrail',
    route: 'GET /v1/knowledge/:tenantId/versions',
    who: humans(['policy-admin', 'auditor', 'sre', 'admin']),
    tenant: { expect: 'refused', probe: { path: '/v1/knowledge/{A}/versions' } },
  },
  {
    service: 'guardrail',
    route: 'GET /v1/knowledge/:tenantId/versions/:a/diff/:b',
    who: humans(['policy-admin', 'auditor', 'sre', 'admin']),
    tenant: { expect: 'refused', probe: { path: '/v1/knowledge/{A}/versions/1/diff/2' } },
  },
  {
    service: 'guardrail',
    route: 'GET /v1/context/:tenantId',
    who: humans(['policy-admin', 'auditor', 'sre', 'admin']),
    tenant: { expect: 'refused', probe: { path: '/v1/context/{A}' } },
  },
  {
    service: 'guardrail',
    route: 'POST /v1/evaluations',
    who: humans(['reviewer', 'lead', 'policy-admin', 'admin'], { services: ['escalation'] }),
    tenant: {
      expect: 'refused',
      probe: {
        body: {
          agent: {
            id: '{A.agent}',
            tenantId: '{A}',
            role: 'pricing',
            version: '1',
            region: 'eu',
            labels: {},
          },
          intent: {
            action: 'pricing.set_price',
            target: { type: 'sku', id: 'SEC-1' },
            params: { sku: 'SEC-1', price: 1, currency: 'EUR' },
            confidence: 0.9,
            justification: 'probe',
            dataUsed: [],
          },
        },
      },
    },
  },

  // escalation: the reviewer queue.
  {
    service: 'escalation',
    route: 'GET /v1/escalations',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'escalation',
    route: 'GET /v1/escalations/:id',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/escalations/{A.task}' }, ownSees: true },
  },
  {
    service: 'escalation',
    route: 'POST /v1/escalations/:id/claim',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/escalations/{A.task}/claim', body: {} } },
  },
  {
    service: 'escalation',
    route: 'POST /v1/escalations/:id/approve',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/escalations/{A.task}/approve', body: {} } },
  },
  {
    service: 'escalation',
    route: 'POST /v1/escalations/:id/reject',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/escalations/{A.task}/reject', body: {} } },
  },
  {
    service: 'escalation',
    route: 'POST /v1/escalations/:id/comments',
    who: humans(['reviewer', 'lead', 'admin']),
    tenant: {
      expect: 'hidden',
      probe: { path: '/v1/escalations/{A.task}/comments', body: { text: 'probe' } },
    },
  },

  // rollout: AgentRollout resources and their analysis.
  {
    service: 'rollout',
    route: 'POST /v1/rollouts',
    who: humans(['sre', 'admin']),
    tenant: { expect: 'refused', probe: { body: { yaml: '{A.rolloutYaml}' } } },
  },
  {
    service: 'rollout',
    route: 'GET /v1/rollouts',
    who: humans('any'),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'rollout',
    route: 'GET /v1/rollouts/:id',
    who: humans('any'),
    tenant: { expect: 'hidden', probe: { path: '/v1/rollouts/{A.rollout}' }, ownSees: true },
  },
  ...(['pause', 'resume', 'promote', 'rollback'] as const).map((action): AccessRule => ({
    service: 'rollout',
    route: `POST /v1/rollouts/:id/${action}`,
    who: humans(['sre', 'admin']),
    tenant: { expect: 'hidden', probe: { path: `/v1/rollouts/{A.rollout}/${action}`, body: {} } },
  })),

  // access: data-access monitoring, read-only (anomalies and baselines).
  {
    service: 'access',
    route: 'GET /v1/access/anomalies',
    who: humans('any'),
    tenant: { expect: 'filtered' },
  },
  {
    service: 'access',
    route: 'GET /v1/access/baselines',
    who: humans('any'),
    tenant: { expect: 'filtered' },
  },

  // killswitch: switches and breakers.
  {
    service: 'killswitch',
    route: 'POST /v1/killswitches',
    who: humans(['sre', 'admin'], {
      platformOnly:
        'a tenant-bound caller’s selector is scoped to its tenant; only platform-wide principals halt across tenants',
      // rollout halts a rolled-back candidate's cohort; access quarantines an agent.
      services: ['rollout', 'access'],
    }),
    tenant: { expect: 'refused', probe: { body: { selector: { tenantId: '{A}' }, reason: 'probe' } } },
  },
  {
    service: 'killswitch',
    route: 'POST /v1/killswitches/preview',
    who: humans('any'),
    tenant: { expect: 'refused', probe: { body: { selector: { tenantId: '{A}' } } } },
  },
  {
    service: 'killswitch',
    route: 'POST /v1/killswitches/:id/release',
    who: humans(['sre', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/killswitches/{A.switch}/release', body: {} } },
  },
  {
    service: 'killswitch',
    route: 'GET /v1/killswitches',
    who: humans('any'),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'killswitch',
    route: 'GET /v1/killswitches/history',
    who: humans('any'),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'killswitch',
    route: 'GET /v1/killswitches/:id',
    who: humans('any'),
    tenant: { expect: 'hidden', probe: { path: '/v1/killswitches/{A.switch}' }, ownSees: true },
  },
  {
    service: 'killswitch',
    route: 'GET /v1/killswitches/:id/history',
    who: humans('any'),
    tenant: { expect: 'hidden', probe: { path: '/v1/killswitches/{A.switch}/history' }, ownSees: true },
  },
  { service: 'killswitch', route: 'GET /v1/breakers', who: humans('any'), tenant: { expect: 'filtered' } },

  // audit: the read side and erasure.
  {
    service: 'audit',
    route: 'GET /v1/audit/records',
    who: humans(['auditor', 'admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'audit',
    route: 'GET /v1/audit/records/export',
    who: humans(['auditor', 'admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'audit',
    route: 'GET /v1/audit/stats',
    who: humans(['auditor', 'admin']),
    tenant: { expect: 'filtered' },
  },
  {
    service: 'audit',
    route: 'GET /v1/audit/verify',
    who: humans(['auditor', 'admin']),
    tenant: { expect: 'filtered' },
  },
  {
    service: 'audit',
    route: 'GET /v1/audit/records/:eventId/proof',
    who: humans(['auditor', 'admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/audit/records/{A.event}/proof' } },
  },
  {
    service: 'audit',
    route: 'POST /v1/audit/subjects/lookup',
    who: humans(['admin']),
    tenant: {
      expect: 'refused',
      probe: { body: { tenantId: '{A}', kind: 'email', value: 'probe@example.com' } },
    },
  },
  {
    service: 'audit',
    route: 'DELETE /v1/audit/subjects/:subjectRef',
    who: humans(['admin']),
    tenant: {
      expect: 'refused',
      probe: { path: `/v1/audit/subjects/customer_${'0'.repeat(32)}?tenantId={A}` },
    },
  },

  // console: identities, the page, live views, the proxy.
  {
    service: 'console',
    route: 'GET /',
    who: { kind: 'public', why: 'the single-page console (no data)' },
    tenant: noTenant('static files'),
  },
  {
    service: 'console',
    route: 'GET /app.js',
    who: { kind: 'public', why: 'console bundle' },
    tenant: noTenant('static files'),
  },
  {
    service: 'console',
    route: 'GET /app.js.map',
    who: { kind: 'public', why: 'console bundle source map' },
    tenant: noTenant('static files'),
  },
  {
    service: 'console',
    route: 'GET /app.css',
    who: { kind: 'public', why: 'console styles' },
    tenant: noTenant('static files'),
  },
  {
    service: 'console',
    route: 'GET /.well-known/jwks.json',
    who: { kind: 'public', why: 'public keys that verify user tokens' },
    tenant: noTenant('public keys only'),
  },
  {
    service: 'console',
    route: 'POST /v1/auth/login',
    who: { kind: 'public', why: 'sign-in (limited per account and per address)' },
    tenant: noTenant('answers only for the credentials given'),
  },
  {
    service: 'console',
    route: 'POST /v1/auth/logout',
    who: { kind: 'public', why: "revokes the session cookie's token, if any" },
    tenant: noTenant("the caller's own session"),
  },
  {
    service: 'console',
    route: 'GET /v1/auth/me',
    who: humans('any'),
    tenant: noTenant("the caller's own identity"),
  },
  {
    service: 'console',
    route: 'GET /v1/users',
    who: humans(['admin']),
    tenant: { expect: 'filtered', ownSees: true },
  },
  {
    service: 'console',
    route: 'POST /v1/users',
    who: humans(['admin']),
    tenant: {
      expect: 'refused',
      probe: {
        body: {
          id: 'sec-foreign-user',
          tenantId: '{A}',
          roles: ['sre'],
          password: 'a long enough passphrase 42',
        },
      },
    },
  },
  {
    service: 'console',
    route: 'PATCH /v1/users/:id',
    who: humans(['admin']),
    tenant: { expect: 'hidden', probe: { path: '/v1/users/{A.user}', body: { displayName: 'taken over' } } },
  },
  { service: 'console', route: 'GET /v1/overview', who: humans('any'), tenant: { expect: 'filtered' } },
  {
    service: 'console',
    route: 'GET /v1/policies/fires',
    who: humans(['policy-admin', 'auditor', 'sre', 'reviewer', 'lead', 'admin']),
    tenant: { expect: 'filtered' },
  },
  {
    service: 'console',
    route: 'ALL /api/:service/*path',
    who: { kind: 'proxy' },
    tenant: { expect: 'hidden', probe: { path: '/api/killswitch/v1/killswitches/{A.switch}' } },
  },
];

/** The roles that may call a human route (every role for `'any'`). */
export function allowedRoles(who: Who): HumanRole[] {
  if (who.kind !== 'humans') return [];
  return who.roles === 'any' ? ALL : who.roles;
}

/** The rules of one service, `*` rules included. */
export function rulesOf(service: ServiceName): AccessRule[] {
  return ACCESS_RULES.filter((r) => r.service === service || r.service === '*');
}

const ROLE_TABLE_START =
  '<!-- access-rules:start (generated from test/security/access-rules.ts; the security suite checks it) -->';
const ROLE_TABLE_END = '<!-- access-rules:end -->';

/**
 * The role table of docs/security.md: one row per route, a column per caller. The security suite
 * fails when the document's table differs from this rendering; `UPDATE_ACCESS_TABLE=1 npx jest
 * test/security/access-matrix.e2e-spec.ts -t 'role table'` rewrites it between the markers.
 */
export function renderAccessTable(rules: AccessRule[] = ACCESS_RULES): string {
  const columns = ['anonymous', 'agent', ...HumanRoles, 'services', 'another tenant'];
  const lines = [
    ROLE_TABLE_START,
    `| service | route | ${columns.join(' | ')} |`,
    `|${' --- |'.repeat(columns.length + 2)}`,
  ];
  for (const rule of rules) {
    const { who } = rule;
    const roles = allowedRoles(who);
    const cell = (ok: boolean) => (ok ? '✓' : '—');
    const human = HumanRoles.map((r) =>
      who.kind === 'proxy' ? 'own' : who.kind === 'public' ? '✓' : cell(roles.includes(r)),
    );
    const anonymous = who.kind === 'public' ? '✓' : '—';
    const agent = who.kind === 'agent' || who.kind === 'public' ? '✓' : '—';
    const services = who.kind === 'humans' && who.services?.length ? who.services.join(', ') : '—';
    const tenant = { hidden: '404', refused: '403', filtered: 'filtered', none: 'n/a' }[rule.tenant.expect];
    const route = `\`${rule.route}\`${who.kind === 'humans' && who.platformOnly ? ` ¹` : ''}`;
    lines.push(
      `| ${rule.service} | ${route} | ${anonymous} | ${agent} | ${human.join(' | ')} | ${services} | ${tenant} |`,
    );
  }
  const notes = rules.flatMap((r) =>
    r.who.kind === 'humans' && r.who.platformOnly ? [`\`${r.route}\`: ${r.who.platformOnly}`] : [],
  );
  lines.push('', `¹ ${notes.join('; ')}.`, ROLE_TABLE_END);
  return lines.join('\n');
}

/** The generated table as it stands in a document, or undefined when the markers are missing. */
export function accessTableIn(doc: string): string | undefined {
  const start = doc.indexOf(ROLE_TABLE_START);
  const end = doc.indexOf(ROLE_TABLE_END);
  if (start < 0 || end < start) return undefined;
  return doc.slice(start, end + ROLE_TABLE_END.length);
}
