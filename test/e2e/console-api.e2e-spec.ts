import { RunningService } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { postJson, priceIntent } from '../support/agent-http';
import { bootService, eventually } from '../support/platform';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

const TENANT = 'maison-console';
const OTHER = 'other-console';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

interface Overview {
  tenantId: string;
  totals: { intents: number; verdicts: Record<string, number> };
  byRole: { role: string; intents: number; verdicts: Record<string, number> }[];
  perSecond: number[];
}

describe('console API: sign-in, session, proxy, live overview and policy fire counts on the real stack', () => {
  const svc: Partial<Record<'guardrail' | 'killswitch' | 'ingest' | 'console', RunningService>> = {};
  const suffix = Date.now().toString(36);
  let pricingKey: string;
  let otherKey: string;

  beforeAll(async () => {
    svc.guardrail = await bootService('guardrail');
    svc.killswitch = await bootService('killswitch');
    svc.ingest = await bootService('ingest');
    svc.console = await bootService('console', {
      INGEST_URL: svc.ingest.url,
      GUARDRAIL_URL: svc.guardrail.url,
      KILLSWITCH_URL: svc.killswitch.url,
      LOGIN_MAX_FAILURES: '3',
    });
    expect(
      (await applyPolicySet(svc.guardrail.url, [{ path: 'price-floor.yaml', content: FLOOR_POLICY }])).status,
    ).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    const reg = (id: string, tenantId: string) =>
      registry.register({ id, tenantId, name: id, role: 'pricing', version: '1.0.0', region: 'eu-west' });
    pricingKey = (await reg(`pricing-console-${suffix}`, TENANT)).apiKey;
    otherKey = (await reg(`pricing-other-${suffix}`, OTHER)).apiKey;
  });

  afterAll(async () => {
    for (const s of [svc.console, svc.ingest, svc.killswitch, svc.guardrail]) await s?.close();
  });

  const url = (path: string) => `${svc.console!.url}${path}`;
  const createUser = (body: Record<string, unknown>, headers = operator) =>
    postJson(url('/v1/users'), body, headers);
  const login = async (username: string, password: string, returnToken = true) => {
    const res = await fetch(url('/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, ...(returnToken ? { returnToken } : {}) }),
    });
    return {
      status: res.status,
      cookie: res.headers.get('set-cookie'),
      body: (await res.json()) as { token?: string; message?: string; user?: Record<string, unknown> },
    };
  };
  const session = (cookie: string) => cookie.split(';')[0]!;
  const call = (
    path: string,
    cookie: string,
    init: { method?: string; body?: unknown; csrf?: boolean } = {},
  ) =>
    fetch(url(path), {
      method: init.method ?? 'GET',
      headers: {
        cookie: session(cookie),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.csrf ? { 'x-agentops-csrf': '1' } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('creates users with hashed passwords; weak passwords, duplicates and non-admins are refused', async () => {
    const weak = await createUser({
      id: `sam-${suffix}`,
      tenantId: TENANT,
      roles: ['sre'],
      password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toContain('password');
    const badRole = await createUser({
      id: `x-${suffix}`,
      tenantId: TENANT,
      roles: ['wizard'],
      password: 'a long enough passphrase',
    });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.body)).toContain('roles');

    for (const [id, roles] of [
      [`sam-${suffix}`, ['sre']],
      [`rita-${suffix}`, ['reviewer']],
      [`ada-${suffix}`, ['admin']],
    ] as const) {
      const created = await createUser({
        id,
        tenantId: TENANT,
        roles,
        password: 'correct horse battery staple',
      });
      expect(created.status).toBe(201);
      expect(JSON.stringify(created.body)).not.toContain('scrypt');
    }
    expect(
      (
        await createUser({
          id: `sam-${suffix}`,
          tenantId: TENANT,
          roles: ['sre'],
          password: 'correct horse battery staple',
        })
      ).status,
    ).toBe(409);

    // A tenant admin manages users of their tenant only.
    const admin = await login(`ada-${suffix}`, 'correct horse battery staple');
    const adminAuth = { authorization: `Bearer ${admin.body.token}` };
    expect(
      (
        await createUser(
          { id: `o-${suffix}`, tenantId: OTHER, roles: ['sre'], password: 'correct horse battery staple' },
          adminAuth,
        )
      ).status,
    ).toBe(403);
    const sre = await login(`sam-${suffix}`, 'correct horse battery staple');
    expect(
      (
        await createUser(
          { id: `p-${suffix}`, tenantId: TENANT, roles: ['sre'], password: 'correct horse battery staple' },
          { authorization: `Bearer ${sre.body.token}` },
        )
      ).status,
    ).toBe(403);
  });

  it('signs in with an HttpOnly SameSite=Strict cookie and a token for the CLI; wrong passwords are 401, then locked', async () => {
    const ok = await login(`sam-${suffix}`, 'correct horse battery staple');
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({
      id: `sam-${suffix}`,
      tenantId: TENANT,
      roles: ['sre'],
      groups: [],
      displayName: `sam-${suffix}`,
    });
    expect(ok.cookie).toMatch(/^agentops_session=[^;]+;/);
    expect(ok.cookie!.split('; ')).toEqual(
      expect.arrayContaining([
        'Path=/',
        'HttpOnly',
        'SameSite=Strict',
        expect.stringMatching(/^Max-Age=\d+$/),
      ]),
    );
    const me = await call('/v1/auth/me', ok.cookie!);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe(`sam-${suffix}`);
    // The same token works as a bearer header against a service directly (CLI).
    const direct = await fetch(`${svc.killswitch!.url}/v1/killswitches`, {
      headers: { authorization: `Bearer ${ok.body.token}` },
    });
    expect(direct.status).toBe(200);

    // The browser's sign-in (no returnToken) gets the cookie only: page script never sees the token.
    const browserLike = await login(`sam-${suffix}`, 'correct horse battery staple', false);
    expect(browserLike.status).toBe(200);
    expect(browserLike.body.token).toBeUndefined();
    expect(browserLike.cookie).toMatch(/agentops_session=/);

    const unknown = await login(`nobody-${suffix}`, 'correct horse battery staple');
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('invalid username or password');
    for (let i = 0; i < 3; i++)
      expect((await login(`rita-${suffix}`, 'wrong password guess')).status).toBe(401);
    const locked = await login(`rita-${suffix}`, 'correct horse battery staple');
    expect(locked.status).toBe(429);
    expect(locked.body.message).toContain('too many failed sign-ins');
    expect((await fetch(url('/v1/auth/me'))).status).toBe(401);
    const metrics = await (await fetch(url('/metrics'))).text();
    expect(metrics).toMatch(/agentops_console_sign_ins_total\{[^}]*outcome="locked"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/agentops_console_sign_ins_total\{[^}]*outcome="refused"[^}]*\} [1-9]/);
  });

  it('proxies to the services with the user token: roles are the services’ own, changes need the CSRF header', async () => {
    const sre = (await login(`sam-${suffix}`, 'correct horse battery staple')).cookie!;
    const admin = (await login(`ada-${suffix}`, 'correct horse battery staple')).cookie!;
    await postJson(
      url(`/v1/users`),
      {
        id: `rev-${suffix}`,
        tenantId: TENANT,
        roles: ['reviewer'],
        password: 'correct horse battery staple',
      },
      operator,
    );
    const reviewer = (await login(`rev-${suffix}`, 'correct horse battery staple')).cookie!;
    const flipBody = { selector: { role: 'pricing' }, reason: 'console proxy test', ttlSeconds: 60 };

    expect((await call('/api/killswitch/v1/killswitches', reviewer)).status).toBe(200);
    const noCsrf = await call('/api/killswitch/v1/killswitches', sre, { method: 'POST', body: flipBody });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { message: string }).message).toContain('x-agentops-csrf');
    const byReviewer = await call('/api/killswitch/v1/killswitches', reviewer, {
      method: 'POST',
      body: flipBody,
      csrf: true,
    });
    expect(byReviewer.status).toBe(403);

    const preview = await call('/api/killswitch/v1/killswitches/preview', sre, {
      method: 'POST',
      body: { selector: { role: 'pricing' } },
      csrf: true,
    });
    expect(preview.status).toBe(200);
    const previewBody = (await preview.json()) as { selector: { tenantId: string }; coveredAgents: number };
    expect(previewBody.selector.tenantId).toBe(TENANT); // scoped to the user's tenant

    const flipped = await call('/api/killswitch/v1/killswitches', sre, {
      method: 'POST',
      body: flipBody,
      csrf: true,
    });
    expect(flipped.status).toBe(201);
    const { id } = (await flipped.json()) as { id: string };
    const released = await call(`/api/killswitch/v1/killswitches/${id}/release`, sre, {
      method: 'POST',
      body: { reason: 'done' },
      csrf: true,
    });
    expect(released.status).toBe(200);
    // The admin of the tenant (not the operator) sees the agents of its tenant only.
    const agents = (await (await call('/api/ingest/v1/agents', admin)).json()) as {
      agents: { tenantId: string }[];
    };
    expect(agents.agents.length).toBeGreaterThan(0);
    expect(agents.agents.every((a) => a.tenantId === TENANT)).toBe(true);

    expect((await call('/api/nowhere/v1/x', sre)).status).toBe(404);
    // The page itself carries the hardening headers (a wildcard route once skipped `/`).
    const page = await fetch(url('/'));
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    // The path stays on the named service: a scheme-relative path cannot point the proxy elsewhere.
    expect((await call('/api/killswitch//127.0.0.1:1/v1/killswitches', sre)).status).toBe(400);
    // Only the versioned APIs, which authorise the user: never a service's unauthenticated endpoints.
    for (const path of [
      '/api/killswitch/metrics',
      '/api/guardrail/health/ready',
      '/api/killswitch/v1/../metrics',
      '/api/killswitch/v1/%2e%2e/metrics',
      '/api/audit/v1%2f..%2fmetrics',
    ])
      expect([path, (await call(path, sre)).status]).toEqual([path, 400]);
    expect((await fetch(url('/api/killswitch/v1/killswitches'))).status).toBe(401);
  });

  it('shows live traffic by role for the user’s tenant and counts how often each policy fired', async () => {
    const sre = (await login(`sam-${suffix}`, 'correct horse battery staple')).cookie!;
    const propose = (key: string, sku: string) =>
      postJson<{ decision: { verdict: string } }>(
        `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=5000`,
        priceIntent(sku, 10),
        {
          'x-api-key': key,
        },
      );
    // Unknown SKUs: the floor policy denies them (and so fires).
    for (let i = 0; i < 3; i++)
      expect((await propose(pricingKey, `UNKNOWN-${suffix}-${i}`)).body.decision.verdict).toBe('deny');
    expect((await propose(otherKey, `UNKNOWN-${suffix}-x`)).body.decision.verdict).toBe('deny');

    const overview = await eventually(
      async () => {
        const o = (await (await call('/v1/overview?windowSeconds=300', sre)).json()) as Overview;
        return o.totals.intents >= 3 && o.totals.verdicts.deny >= 3 ? o : undefined;
      },
      20_000,
      'the overview to show the intents',
    );
    expect(overview.tenantId).toBe(TENANT);
    expect(overview.totals.intents).toBe(3); // the other tenant's intent is not shown
    expect(overview.byRole).toEqual([
      expect.objectContaining({
        role: 'pricing',
        intents: 3,
        verdicts: expect.objectContaining({ deny: 3 }),
      }),
    ]);
    expect(overview.perSecond).toHaveLength(300);
    expect((await call('/v1/overview?windowSeconds=0', sre)).status).toBe(400);

    const fires = await eventually(
      async () => {
        const f = (await (await call('/v1/policies/fires', sre)).json()) as {
          fires: { policyId: string; count: number; effect: string }[];
        };
        return f.fires.find((x) => x.policyId === 'price-floor' && x.count >= 3) ? f : undefined;
      },
      20_000,
      'the floor policy’s fire count',
    );
    expect(fires.fires).toEqual([
      expect.objectContaining({ policyId: 'price-floor', count: 3, effect: 'deny' }),
    ]);
  });
});
