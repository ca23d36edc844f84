import {
  HumanRole,
  HumanRoles,
  OpenApiDocument,
  RunningService,
  ServiceTokenSigner,
  mintUserToken,
} from '@agentops/service-runtime';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { postJson } from '../support/agent-http';
import { bootWiredPlatform, eventually } from '../support/platform';
import { routesOf } from '../support/routes';
import { RecordedAnswer, answersAgainstOpenApi, openApiDrift } from '../support/openapi-contract';
import { NO_CONSTRAINT_POLICY, applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN, TEST_SERVICE_KEYS, TEST_TOKEN_SIGNER } from '../support/test-env';
import {
  ACCESS_RULES,
  AccessRule,
  Probe,
  SERVICE_NAMES,
  ServiceName,
  accessTableIn,
  allowedRoles,
  renderAccessTable,
  rulesOf,
} from './access-rules';

/**
 * Issue #12 item 11: the endpoint × role × tenant matrix. Every route every service serves is read
 * from the running Nest apps' controller metadata and must have exactly one rule in
 * access-rules.ts; then each route is called over HTTP on the real stack (one boot of all six
 * services) by nobody, an agent, each human role, the operator and a service principal, and by an
 * allowed principal of tenant B on tenant A's data.
 */
const RUN = Date.now().toString(36);
const A = `sec-alpha-${RUN}`;
const B = `sec-bravo-${RUN}`;

const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: sec-low-confidence, version: "1" }
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;

type Headers = Record<string, string>;
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

interface Answer {
  status: number;
  text: string;
}

/** Every answer the suite receives, by service: checked against the OpenAPI descriptions at the end. */
const answers: RecordedAnswer[] = [];
const serviceAt = new Map<string, string>();

/** One HTTP call; an event stream is cut after its status line. */
async function call(
  base: string,
  method: string,
  path: string,
  headers: Headers,
  body?: unknown,
): Promise<Answer> {
  const answer = await send(base, method, path, headers, body);
  const service = serviceAt.get(base);
  if (service)
    answers.push({ service, method: method === 'ALL' ? 'GET' : method, path: path.split('?')[0], ...answer });
  return answer;
}

async function send(
  base: string,
  method: string,
  path: string,
  headers: Headers,
  body?: unknown,
): Promise<Answer & { contentType: string }> {
  const verb = method === 'ALL' ? 'GET' : method;
  const sendsBody = !['GET', 'HEAD', 'DELETE'].includes(verb);
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, {
    method: verb,
    headers: { ...(sendsBody ? { 'content-type': 'application/json' } : {}), ...headers },
    body: sendsBody ? JSON.stringify(body ?? {}) : undefined,
    redirect: 'manual',
    signal: abort.signal,
  });
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.includes('text/event-stream')) {
    abort.abort();
    return { status: res.status, text: '', contentType };
  }
  return { status: res.status, text: await res.text(), contentType };
}

describe('security matrix: every route × caller × tenant (issue #12)', () => {
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  const keys: Record<string, string> = {};
  const fixtures: Record<string, string> = { '{A}': A };
  const tokens = new Map<string, Headers>();
  const operator = bearer(TEST_OPERATOR_TOKEN);
  const serviceSigner = new ServiceTokenSigner('escalation', TEST_SERVICE_KEYS['escalation']!);

  const user = async (tenantId: string, role: HumanRole): Promise<Headers> => {
    const id = `${role}@${tenantId}`;
    if (!tokens.has(id))
      tokens.set(
        id,
        bearer(
          await mintUserToken(
            { userId: id, tenantId, roles: [role], groups: ['reviewers'] },
            TEST_TOKEN_SIGNER,
          ),
        ),
      );
    return tokens.get(id)!;
  };
  const url = (name: ServiceName) => svc[name]!.url;
  const fill = (text: string) =>
    text === '{NO_CONSTRAINT}'
      ? NO_CONSTRAINT_POLICY
      : text.replace(/\{[A-Za-z.]+\}/g, (p) => fixtures[p] ?? p);
  const fillBody = (value: unknown): unknown => {
    if (typeof value === 'string') return fill(value);
    if (Array.isArray(value)) return value.map(fillBody);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillBody(v)]));
    return value;
  };

  beforeAll(async () => {
    const wired = Object.assign(svc, await bootWiredPlatform());
    for (const name of SERVICE_NAMES) serviceAt.set(wired[name].url, name);

    // Tenant A's data, which tenant B's principals must never reach.
    const registry = AgentRegistry.of(wired.ingest.parts.dataSource);
    for (const tenantId of [A, B]) {
      const registered = await registry.register({
        id: `${tenantId}-pricing`,
        tenantId,
        name: 'pricing',
        role: 'pricing',
        version: '1',
        region: 'eu',
      });
      keys[tenantId] = registered.apiKey;
    }
    fixtures['{A.agent}'] = `${A}-pricing`;
    await wired.guardrail.app.get(CatalogCache).importCatalog(
      [A, B].map((tenantId) => ({
        tenantId,
        sku: 'SEC-1',
        price: 100,
        floorPrice: 50,
        cost: 20,
        flagship: false,
        brand: 'M',
        category: 'c',
      })),
      'security-suite',
    );
    expect(
      (await applyPolicySet(wired.guardrail.url, [{ path: 'none.yaml', content: NO_CONSTRAINT_POLICY }]))
        .status,
    ).toBe(201);
    const tenantSet = await postJson(
      `${url('guardrail')}/v1/policies/sets`,
      { tenantId: A, files: [{ path: 'low-confidence.yaml', content: LOW_CONFIDENCE }] },
      await user(A, 'policy-admin'),
    );
    expect(tenantSet.status).toBe(201);
    // The tenant set reaches the deciding instance through its topic: propose until it escalates
    // (an escalated intent is pending review; a waiting call would wait for the human).
    const intent = await eventually(
      async () => {
        const res = await postJson<{ intentId: string; status: string }>(
          `${url('ingest')}/v1/intents`,
          {
            action: 'pricing.set_price',
            target: { type: 'sku', id: 'SEC-1' },
            params: { sku: 'SEC-1', price: 90, currency: 'EUR' },
            confidence: 0.3,
            justification: 'security suite: an escalated intent of tenant A',
            dataUsed: [],
          },
          { 'x-api-key': keys[A] },
        );
        const decision = await eventually(
          () =>
            call(url('ingest'), 'GET', `/v1/intents/${res.body.intentId}/decision`, {
              'x-api-key': keys[A],
            }).then((d) => d.status === 200 && d),
          10_000,
          "the decision on tenant A's intent",
        );
        return (JSON.parse(decision.text) as { status: string }).status === 'pending_review' && res;
      },
      20_000,
      "an escalation under tenant A's set",
    );
    fixtures['{A.intent}'] = intent.body.intentId;
    // The intent's trace in ingest's trace store (its decision span is recorded as the decision is).
    fixtures['{A.trace}'] = await eventually(
      async () => {
        const res = await call(url('ingest'), 'GET', `/v1/traces?intentId=${intent.body.intentId}`, operator);
        return (JSON.parse(res.text) as { traces?: { traceId: string }[] }).traces?.[0]?.traceId;
      },
      20_000,
      "the trace of tenant A's intent",
    );
    const reviewerA = await user(A, 'reviewer');
    fixtures['{A.task}'] = await eventually(
      async () => {
        const res = await call(url('escalation'), 'GET', '/v1/escalations', reviewerA);
        const tasks = (JSON.parse(res.text) as { tasks: { id: string; intentId: string }[] }).tasks;
        return tasks.find((t) => t.intentId === intent.body.intentId)?.id;
      },
      20_000,
      "tenant A's escalation task",
    );
    const flip = await postJson<{ id?: string; switchId?: string }>(
      `${url('killswitch')}/v1/killswitches`,
      { selector: { tenantId: A, agentId: `${A}-nobody` }, reason: 'security suite: a switch of tenant A' },
      await user(A, 'sre'),
    );
    expect(flip.status).toBe(201);
    fixtures['{A.switch}'] = (flip.body.id ?? flip.body.switchId)!;
    // A rollout of tenant A (its unit, target.id, is in every intent).
    const rolloutYaml = (tenant: string, name: string) =>
      [
        'apiVersion: agentops.io/v1',
        'kind: AgentRollout',
        `metadata: { name: ${name} }`,
        'spec:',
        `  cohort: { tenant: ${tenant}, selector: { agentId: ${tenant}-nobody } }`,
        '  unit: target.id',
        '  baseline: { name: stable, agentVersion: "1" }',
        '  candidates: [{ name: next, agentVersion: "2" }]',
        '  steps: [{ weight: 10, minDwell: 1h }]',
        '  guardrails: [{ kpi: deny_rate }]',
      ].join('\n');
    const applied = await postJson<{ id: string }>(
      `${url('rollout')}/v1/rollouts`,
      { yaml: rolloutYaml(A, `sec-${RUN}`) },
      await user(A, 'sre'),
    );
    expect(applied.status).toBe(201);
    fixtures['{A.rollout}'] = applied.body.id;
    // What tenant B's sre must be refused: applying a rollout on tenant A's cohort.
    fixtures['{A.rolloutYaml}'] = rolloutYaml(A, `sec-b-${RUN}`);
    // The users behind the suite's tokens exist (the console answers `me` for active users only).
    for (const tenantId of [A, B])
      for (const role of HumanRoles) {
        const made = await postJson(
          `${url('console')}/v1/users`,
          {
            id: `${role}@${tenantId}`,
            tenantId,
            roles: [role],
            groups: ['reviewers'],
            password: 'a long enough passphrase 42',
          },
          operator,
        );
        expect(made.status).toBe(201);
      }
    const created = await postJson(
      `${url('console')}/v1/users`,
      { id: `alice-${RUN}`, tenantId: A, roles: ['sre'], password: 'a long enough passphrase 42' },
      operator,
    );
    expect(created.status).toBe(201);
    fixtures['{A.user}'] = `alice-${RUN}`;
    const auditorA = await user(A, 'auditor');
    fixtures['{A.event}'] = await eventually(
      async () => {
        const res = await call(url('audit'), 'GET', '/v1/audit/records?limit=5', auditorA);
        return (JSON.parse(res.text) as { records: { eventId: string }[] }).records[0]?.eventId;
      },
      30_000,
      "tenant A's audit records",
    );
  }, 240_000);

  afterAll(async () => {
    for (const name of [...SERVICE_NAMES].reverse()) await svc[name]?.close();
  });

  const key = (service: string, route: string) => `${service} ${route}`;

  it('every route of every service has exactly one rule, and every rule names a route that exists', () => {
    const served = SERVICE_NAMES.flatMap((name) => routesOf(svc[name]!.app).map((r) => key(name, r)));
    expect(served.length).toBeGreaterThan(40);
    const ruled = SERVICE_NAMES.flatMap((name) => rulesOf(name).map((r) => key(name, r.route)));
    const duplicates = ruled.filter((r, i) => ruled.indexOf(r) !== i);
    expect({
      withoutRule: served.filter((r) => !ruled.includes(r)),
      ruleWithoutRoute: ruled.filter((r) => !served.includes(r)),
      duplicates,
    }).toEqual({
      withoutRule: [],
      ruleWithoutRoute: [],
      duplicates: [],
    });
  });

  /** The rule's path with its parameters filled by inoffensive values (an unknown id, own tenant). */
  const genericPath = (rule: AccessRule) =>
    rule.route
      .split(' ')[1]
      .replace(':service/*path', 'killswitch/v1/killswitches')
      .replace(':tenantId', A)
      .replace(':agentId', 'sec-no-such-agent')
      .replace(':subjectRef', `customer_${'f'.repeat(32)}`)
      .replace(':traceId', 'f'.repeat(32))
      .replace(/:(id|intentId|eventId)\b/, randomUUID())
      .replace('/:a/diff/:b', '/1/diff/2')
      .replace(':sku', 'SEC-NO-SUCH-SKU')
      .replace(':asset', 'init.js');
  const expanded = (): [string, ServiceName, AccessRule][] =>
    ACCESS_RULES.flatMap((rule) =>
      (rule.service === '*' ? SERVICE_NAMES : [rule.service]).map((s): [string, ServiceName, AccessRule] => [
        key(s, rule.route),
        s,
        rule,
      ]),
    );

  it.each(expanded())(
    '%s: nobody, agents, each role, the operator and services get what the rule says',
    async (_name, service, rule) => {
      const method = rule.route.split(' ')[0];
      const path = genericPath(rule);
      const at = (headers: Headers) => call(url(service), method, path, headers);
      const seen: Record<string, number> = {};
      const who = rule.who;
      const authenticated = (status: number) => status !== 401 && status !== 403;
      seen.anonymous = (await at({})).status;
      seen.agent = (await at({ 'x-api-key': keys[A] })).status;
      // A public route takes no token, so none is sent (sign-out would revoke the suite's tokens).
      if (who.kind !== 'public') {
        seen.operator = (await at(operator)).status;
        seen.service = (await at(bearer(serviceSigner.tokenFor(service)))).status;
        for (const role of HumanRoles) seen[role] = (await at(await user(A, role))).status;
      }

      const expected: Record<string, string> = {};
      const verdict = (status: number) => (authenticated(status) ? 'passes' : String(status));
      if (who.kind === 'public') {
        for (const caller of Object.keys(seen)) expected[caller] = 'passes';
      } else if (who.kind === 'agent') {
        for (const caller of Object.keys(seen)) expected[caller] = '401';
        expected.agent = 'passes';
      } else if (who.kind === 'humans') {
        expected.anonymous = '401';
        expected.agent = '401';
        expected.operator = 'passes';
        expected.service = who.services?.includes('escalation') ? 'passes' : '403';
        for (const role of HumanRoles) expected[role] = allowedRoles(who).includes(role) ? 'passes' : '403';
      } else {
        // The proxy adds nothing: no token is the service's 401, a user's token its own answer.
        expected.anonymous = '401';
        expected.agent = '401';
        expected.operator = 'passes';
        // A service's assertion is for the console (its audience): the service behind refuses it.
        expected.service = '401';
        for (const role of HumanRoles) expected[role] = 'passes';
        const unversioned = await call(url('console'), 'GET', '/api/killswitch/metrics', operator);
        expect(unversioned.status).toBe(400);
      }
      expect(Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, verdict(v)]))).toEqual(expected);
    },
  );

  it("a tenant's sre neither sees nor releases a platform-wide switch, which only platform principals may", async () => {
    // A switch without tenantId spans every tenant (the operator's global halt): the worst thing a
    // tenant could release. Its selector names an agent that does not exist, so it halts nobody.
    const flip = await postJson<{ id?: string; switchId?: string }>(
      `${url('killswitch')}/v1/killswitches`,
      {
        selector: { agentId: `sec-platform-nobody-${RUN}` },
        reason: 'security suite: a platform-wide switch',
      },
      operator,
    );
    expect(flip.status).toBe(201);
    const id = (flip.body.id ?? flip.body.switchId)!;
    const sreA = await user(A, 'sre');
    const adminA = await user(A, 'admin');
    const seen = {
      get: (await call(url('killswitch'), 'GET', `/v1/killswitches/${id}`, sreA)).status,
      history: (await call(url('killswitch'), 'GET', `/v1/killswitches/${id}/history`, sreA)).status,
      release: (await call(url('killswitch'), 'POST', `/v1/killswitches/${id}/release`, sreA, {})).status,
      releaseByAdmin: (await call(url('killswitch'), 'POST', `/v1/killswitches/${id}/release`, adminA, {}))
        .status,
      listed: (await call(url('killswitch'), 'GET', '/v1/killswitches', sreA)).text.includes(id),
    };
    expect(seen).toEqual({ get: 404, history: 404, release: 404, releaseByAdmin: 404, listed: false });
    const released = await call(url('killswitch'), 'POST', `/v1/killswitches/${id}/release`, operator, {});
    expect(released.status).toBe(200);
  });

  /** Whether the committed OpenAPI description gives the route a `tenantId` query parameter. */
  const takesTenantId = (service: ServiceName, route: string): boolean => {
    const [method, path] = route.split(' ');
    const document = JSON.parse(
      readFileSync(resolve(__dirname, '../../docs/openapi', `${service}.json`), 'utf8'),
    ) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const openApiPath = path.replace(/:(\w+)/g, '{$1}');
    const parameters = document.paths[openApiPath]?.[method.toLowerCase()]?.parameters ?? [];
    return parameters.some((p) => p.in === 'query' && p.name === 'tenantId');
  };

  const crossTenant = expanded().filter(([, , rule]) => rule.tenant.expect !== 'none');

  it.each(crossTenant)(
    "%s: tenant B's allowed principal never gets tenant A's data",
    async (_name, service, rule) => {
      const method = rule.route.split(' ')[0];
      const who = rule.who;
      const as = async (tenantId: string): Promise<Headers> => {
        if (who.kind === 'agent') return { 'x-api-key': keys[tenantId] };
        const roles = allowedRoles(who).filter((r) => r !== 'admin');
        return user(tenantId, roles[0] ?? 'admin');
      };
      const tenant = rule.tenant;
      const probe: Probe = 'probe' in tenant && tenant.probe ? tenant.probe : {};
      const path = fill(probe.path ?? genericPath(rule));
      const body = fillBody(probe.body);
      const asB = await call(url(service), method, path, await as(B), body);
      const mentionsA = (text: string) => Object.values(fixtures).some((v) => text.includes(v));
      switch (tenant.expect) {
        case 'hidden':
          expect(asB.status).toBe(404);
          break;
        case 'refused':
          expect(asB.status).toBe(403);
          break;
        case 'filtered': {
          expect({ status: asB.status, mentionsA: mentionsA(asB.text) }).toEqual({
            status: 200,
            mentionsA: false,
          });
          const naming = await call(
            url(service),
            method,
            `${path}${path.includes('?') ? '&' : '?'}tenantId=${A}`,
            await as(B),
          );
          // A route that takes `tenantId` refuses another tenant's, never answering with the
          // caller's own tenant (which would pass for an empty tenant A); one that takes none
          // ignores it and must still not name A.
          if (takesTenantId(service, rule.route)) expect(naming.status).toBe(403);
          else
            expect({ status: naming.status, mentionsA: mentionsA(naming.text) }).toEqual({
              status: 200,
              mentionsA: false,
            });
          break;
        }
      }
      // The positive control: the same call by tenant A's principal does reach A's data, so a 404 or
      // an empty list above is the tenant check, not a wrong probe.
      if ('ownSees' in tenant && tenant.ownSees) {
        const asA = await call(url(service), method, path, await as(A), body);
        expect({ status: asA.status, mentionsA: mentionsA(asA.text) }).toEqual({
          status: 200,
          mentionsA: true,
        });
      }
    },
  );

  describe('the OpenAPI description of every service (issue #20 item 1)', () => {
    const documents: Record<string, OpenApiDocument> = {};
    const describedBy = async (name: ServiceName) => {
      const res = await fetch(`${url(name)}/openapi.json`);
      expect(res.status).toBe(200);
      return (documents[name] = (await res.json()) as OpenApiDocument);
    };

    it('each service serves a valid OpenAPI 3.1 document at /openapi.json that describes every route it serves, as committed in docs/openapi/', async () => {
      const problems: string[] = [];
      for (const name of SERVICE_NAMES)
        problems.push(...(await openApiDrift(name, await describedBy(name), routesOf(svc[name]!.app))));
      expect(problems).toEqual([]);
    });

    it('every JSON answer the suite received matches the schema its service describes for that route and status', async () => {
      for (const name of SERVICE_NAMES) documents[name] ??= await describedBy(name);
      const check = answersAgainstOpenApi(documents, answers);
      expect(check.problems).toEqual([]);
      // The check has teeth: the suite's answers reached the described schemas.
      expect(check.validated).toBeGreaterThan(100);
    });

    it('serves the docs page and only its own files', async () => {
      const page = await fetch(`${url('ingest')}/docs`);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain('/docs/swagger-ui-bundle.js');
      const script = await fetch(`${url('ingest')}/docs/init.js`);
      expect({ status: script.status, text: await script.text() }).toEqual({
        status: 200,
        text: expect.stringContaining("url: '/openapi.json'"),
      });
      for (const asset of ['package.json', '..%2Fpackage.json', 'index.html'])
        expect((await fetch(`${url('ingest')}/docs/${asset}`)).status).toBe(404);
    });
  });
});

/** Like the contracts drift check: the document's role table is the rules' rendering. */
describe('docs/security.md: the role table is the access rules', () => {
  it('shows the table rendered from access-rules.ts (UPDATE_ACCESS_TABLE=1 rewrites it)', () => {
    const file = resolve(__dirname, '../../docs/security.md');
    const doc = readFileSync(file, 'utf8');
    const expected = renderAccessTable();
    const current = accessTableIn(doc);
    if (process.env.UPDATE_ACCESS_TABLE && current) writeFileSync(file, doc.replace(current, expected));
    else expect(current).toBe(expected);
  });

  it('test/security/README.md names tests that exist (the index of items 1-12)', () => {
    const root = resolve(__dirname, '../..');
    const index = readFileSync(resolve(__dirname, 'README.md'), 'utf8');
    const rows = [...index.matchAll(/^\| [\d, ]+ \| [^|]+ \| `([^`]+)` \| ([^|]+) \|$/gm)].map((m) => ({
      file: m[1],
      title: m[2].trim(),
    }));
    expect(rows.length).toBeGreaterThan(30);
    const missing = rows.filter(({ file, title }) => {
      const path = resolve(root, file);
      return !existsSync(path) || !readFileSync(path, 'utf8').includes(title);
    });
    expect(missing).toEqual([]);
  });
});
