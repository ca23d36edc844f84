import { AgentIdentity, IntentDecidedV1 } from '@agentops/contracts';
import { HumanRole, RunningService, mintUserToken } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { ActivePolicySets } from '../../services/guardrail/src/policies/active-policy-sets';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { bootService, eventually } from '../support/platform';
import { FLOOR_POLICY } from '../support/policies';
import { TEST_TOKEN_SIGNER, TEST_OPERATOR_TOKEN } from '../support/test-env';

const RUN = Date.now().toString(36);
const A = `tenant-a-${RUN}`;
const B = `tenant-b-${RUN}`;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const operator = bearer(TEST_OPERATOR_TOKEN);
const user = async (tenantId: string, roles: HumanRole[], userId = `${roles.join('+')}@${tenantId}`) =>
  bearer(await mintUserToken({ userId, tenantId, roles }, TEST_TOKEN_SIGNER));

const policy = (name: string, spec: string) => `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: ${name}, version: "1" }
spec:
${spec}`;
/** What a tenant that wants to stop everything of its own would apply. */
const DENY_ALL = policy(
  'house-stop-everything',
  `  match: { actions: ["*"] }
  validations:
    - expression: "false"
      message: the house stopped every action
      effect: deny`,
);
/** Attempts at waving through what the baseline refuses: they may not lower its verdict. */
const PERMISSIVE = [
  policy(
    'house-always-passes',
    `  match: { actions: ["*"] }
  validations:
    - expression: "true"
      effect: deny`,
  ),
  policy(
    'house-only-warns',
    `  match: { actions: ["pricing.*"] }
  validations:
    - expression: "false"
      message: prices are our business
      effect: warn`,
  ),
].join('\n---\n');
/** A tenant's copy of the baseline's floor in shadow mode: it would "disable" the baseline's. */
const FLOOR_IN_SHADOW = FLOOR_POLICY.replace('spec:\n', 'spec:\n  mode: shadow\n');

type Decided = { status: string; decision: IntentDecidedV1 };

/**
 * Issue #12: a tenant's account cannot reach another tenant's agents, rewrite the guardrails of
 * every tenant, or read other tenants' data — on the real stack (two guardrail instances, one
 * ingest, killswitch), through the services' HTTP APIs with users' tokens.
 */
describe('tenant isolation: agents, policy sets and reads never cross tenants', () => {
  const guardrails: RunningService[] = [];
  let ingest: RunningService;
  let killswitch: RunningService;
  let registry: AgentRegistry;
  const keys: Record<string, string> = {};
  const agents: Record<string, AgentIdentity> = {};

  beforeAll(async () => {
    guardrails.push(await bootService('guardrail'), await bootService('guardrail'));
    killswitch = await bootService('killswitch');
    ingest = await bootService('ingest');
    registry = AgentRegistry.of(ingest.parts.dataSource);
    const bag = {
      sku: 'BAG-9',
      price: 2000,
      floorPrice: 1500,
      cost: 700,
      flagship: true,
      brand: 'M',
      category: 'bags',
    };
    await guardrails[0].app.get(CatalogCache).importCatalog(
      [A, B].map((tenantId) => ({ ...bag, tenantId })),
      'test',
    );
    await guardrails[1].app.get(CatalogCache).refresh();
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
      agents[tenantId] = registered.agent;
    }
    const applied = await postJson(
      `${guardrails[0].url}/v1/policies/sets`,
      { files: [{ path: 'price-floor.yaml', content: FLOOR_POLICY }] },
      operator,
    );
    expect(applied.status).toBe(201);
  });

  afterAll(async () => {
    await ingest?.close();
    await killswitch?.close();
    for (const g of guardrails) await g.close();
  });

  const propose = async (tenantId: string, price: number) => {
    const res = await postJson<Decided>(
      `${ingest.url}/v1/intents?wait=true&timeoutMs=8000`,
      priceIntent('BAG-9', price),
      { 'x-api-key': keys[tenantId] },
    );
    expect(res.status).toBe(200);
    return res.body.decision;
  };
  const applyAs = (
    headers: Record<string, string>,
    files: { path: string; content: string }[],
    tenantId?: string,
  ) =>
    postJson<{
      version: string;
      scope: string;
      problems?: { file: string; line: number; message: string }[];
    }>(`${guardrails[0].url}/v1/policies/sets`, { ...(tenantId ? { tenantId } : {}), files }, headers);
  /** Applies a tenant set on one instance and waits until both decide with it. */
  const applyTenantSet = async (tenantId: string, content: string) => {
    const res = await applyAs(
      await user(tenantId, ['policy-admin']),
      [{ path: 'house.yaml', content }],
      tenantId,
    );
    expect(res.status).toBe(201);
    await eventually(
      async () =>
        guardrails.every((g) => g.app.get(ActivePolicySets).tenant(tenantId)?.version === res.body.version),
      10_000,
      `both instances on ${tenantId}'s set`,
    );
    return res.body.version;
  };
  const baselineVersion = () => guardrails[0].app.get(ActivePolicySets).baseline!.version;

  describe('agent identity is (tenant, id)', () => {
    it('registering another tenant’s agent id is a 409 and leaves that agent, its keys and its tenant unchanged', async () => {
      const adminA = await user(A, ['admin']);
      const victim = `${B}-pricing`;
      const keysBefore = await ingest.parts.dataSource.query(
        `SELECT key_id FROM api_keys WHERE agent_id = $1`,
        [victim],
      );
      const takeover = await postJson(
        `${ingest.url}/v1/agents`,
        {
          id: victim,
          tenantId: A,
          name: 'mine now',
          role: 'service',
          version: '6.6.6',
          region: 'us',
          labels: { owner: 'mallory' },
          scopes: { actions: ['*'] },
        },
        adminA,
      );
      expect(takeover.status).toBe(409);
      // The answer does not say which tenant holds the id.
      expect(takeover.body).toEqual({
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: `agent id ${victim} is already registered`,
        instance: '/v1/agents',
        statusCode: 409,
        error: 'Conflict',
        message: `agent id ${victim} is already registered`,
      });
      expect(takeover.body).not.toHaveProperty('apiKey');

      const listedByB = await getJson<{ agents: AgentIdentity[] }>(
        `${ingest.url}/v1/agents`,
        await user(B, ['admin']),
      );
      expect(listedByB.body.agents.find((a) => a.id === victim)).toEqual(agents[B]);
      expect(
        await ingest.parts.dataSource.query(`SELECT key_id FROM api_keys WHERE agent_id = $1`, [victim]),
      ).toEqual(keysBefore);
      // B's key still acts as B's agent, and B's decisions still reach it.
      expect((await registry.authenticate(keys[B]))?.tenantId).toBe(B);
      expect((await propose(B, 1900)).verdict).toBe('allow');
    });

    it('re-registering one’s own agent still updates it', async () => {
      const adminB = await user(B, ['admin']);
      const again = await postJson<{ agent: AgentIdentity; apiKey: string }>(
        `${ingest.url}/v1/agents`,
        { id: `${B}-pricing`, tenantId: B, name: 'pricing', role: 'pricing', version: '2', region: 'eu' },
        adminB,
      );
      expect(again.status).toBe(201);
      expect(again.body.agent).toMatchObject({ id: `${B}-pricing`, tenantId: B, version: '2' });
      keys[B] = again.body.apiKey;
    });

    it('scopes and key rotation of another tenant’s agent answer 404, as for an unknown agent', async () => {
      const adminA = await user(A, ['admin']);
      const victim = `${B}-pricing`;
      const scopes = await fetch(`${ingest.url}/v1/agents/${victim}/scopes`, {
        method: 'PUT',
        headers: { ...adminA, 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: { actions: ['*'] } }),
      });
      expect(scopes.status).toBe(404);
      const rotate = await postJson(`${ingest.url}/v1/agents/${victim}/keys/rotate`, {}, adminA);
      expect(rotate.status).toBe(404);
      const unknown = await postJson(`${ingest.url}/v1/agents/nobody-${RUN}/keys/rotate`, {}, adminA);
      // The same answer but for the id it names: nothing tells the two apart.
      expect(unknown.body).toEqual({
        ...rotate.body,
        message: `unknown agent nobody-${RUN}`,
        detail: `unknown agent nobody-${RUN}`,
        instance: `/v1/agents/nobody-${RUN}/keys/rotate`,
      });
      expect(rotate.body).toMatchObject({ statusCode: 404, message: `unknown agent ${victim}` });
      expect((await registry.authenticate(keys[B]))?.id).toBe(victim);
      const [row] = await ingest.parts.dataSource.query(`SELECT scopes FROM agents WHERE id = $1`, [victim]);
      expect(row.scopes).toBeNull();
    });

    it('two tenants racing for one new id: exactly one registers it, the other gets 409', async () => {
      const id = `contested-${RUN}`;
      const body = (tenantId: string) => ({
        id,
        tenantId,
        name: 'x',
        role: 'pricing',
        version: '1',
        region: 'eu',
      });
      const answers = await Promise.all(
        [A, B, A, B].map(async (t) => postJson(`${ingest.url}/v1/agents`, body(t), await user(t, ['admin']))),
      );
      const [owner] = await ingest.parts.dataSource.query(`SELECT tenant_id FROM agents WHERE id = $1`, [id]);
      const statuses = answers.map((a, i) => [[A, B, A, B][i], a.status]);
      expect(statuses).toEqual([A, B, A, B].map((t) => [t, t === owner.tenant_id ? 201 : 409]));
    });
  });

  describe('policy sets: a platform baseline, and per tenant a set that only adds constraints', () => {
    it('a tenant’s policy-admin may not apply the baseline nor another tenant’s set (403); nothing changes', async () => {
      const before = baselineVersion();
      const policyAdminA = await user(A, ['policy-admin']);
      const baseline = await applyAs(policyAdminA, [{ path: 'stop.yaml', content: DENY_ALL }]);
      expect(baseline.status).toBe(403);
      expect(JSON.stringify(baseline.body)).toMatch(/platform-wide principals only/);
      expect((await applyAs(policyAdminA, [{ path: 'stop.yaml', content: DENY_ALL }], B)).status).toBe(403);
      expect(guardrails.map((g) => g.app.get(ActivePolicySets).baseline?.version)).toEqual([before, before]);
      expect(guardrails[0].app.get(ActivePolicySets).tenant(B)).toBeNull();
      expect((await propose(B, 1900)).verdict).toBe('allow');
    });

    it('a deny-all tenant set stops only that tenant; every decision names the sets it was made with', async () => {
      const houseA = await applyTenantSet(A, DENY_ALL);
      // Activation is per scope: the baseline is the same on both instances.
      expect(guardrails.map((g) => g.app.get(ActivePolicySets).baseline?.version)).toEqual([
        baselineVersion(),
        baselineVersion(),
      ]);
      const a = await propose(A, 1900);
      expect(a).toMatchObject({
        verdict: 'deny',
        decidedBy: 'policy',
        policySetVersions: { baseline: baselineVersion(), tenant: houseA },
        decisionSource: `policy-set:${baselineVersion()}+tenant:${houseA}`,
      });
      expect(a.reasons[0]).toMatchObject({ policyId: 'house-stop-everything', effect: 'deny' });
      const b = await propose(B, 1900);
      expect(b).toMatchObject({
        verdict: 'allow',
        policySetVersions: { baseline: baselineVersion() },
        decisionSource: `policy-set:${baselineVersion()}`,
      });
      expect(b.policySetVersions).not.toHaveProperty('tenant');
      expect(b.reasons.map((r) => r.policyId)).not.toContain('house-stop-everything');
    });

    it('a tenant set cannot weaken the baseline: redefining a baseline policy is refused, a permissive set still denies', async () => {
      const active = guardrails[0].app.get(ActivePolicySets).tenant(A)?.version;
      const disabling = await applyAs(
        await user(A, ['policy-admin']),
        [{ path: 'price-floor.yaml', content: FLOOR_IN_SHADOW }],
        A,
      );
      expect(disabling.status).toBe(422);
      expect(disabling.body.problems).toEqual([
        expect.objectContaining({
          file: 'price-floor.yaml',
          message: expect.stringMatching(/^metadata\.name: price-floor is a policy of the platform baseline/),
        }),
      ]);
      expect(guardrails[0].app.get(ActivePolicySets).tenant(A)?.version).toBe(active);

      const permissive = await applyTenantSet(A, PERMISSIVE);
      const below = await propose(A, 1000);
      expect(below).toMatchObject({ verdict: 'deny', policySetVersions: { tenant: permissive } });
      expect(below.reasons[0]).toMatchObject({ policyId: 'price-floor', effect: 'deny' });
      expect((await propose(A, 1900)).verdict).toBe('allow');
    });

    it('an empty tenant set changes nothing', async () => {
      const empty = await applyTenantSet(B, '# no house rules yet\n');
      const allowed = await propose(B, 1900);
      expect(allowed).toMatchObject({ verdict: 'allow', policySetVersions: { tenant: empty } });
      const denied = await propose(B, 1000);
      expect(denied.verdict).toBe('deny');
      expect(denied.reasons[0].policyId).toBe('price-floor');
    });

    it('the dry run judges with the baseline and the agent’s tenant’s set, for that tenant’s users only', async () => {
      await applyTenantSet(A, DENY_ALL);
      const preview = (agent: AgentIdentity, headers: Record<string, string>) =>
        postJson<IntentDecidedV1>(
          `${guardrails[1].url}/v1/evaluations`,
          { agent, intent: priceIntent('BAG-9', 1900) },
          headers,
        );
      const policyAdminA = await user(A, ['policy-admin']);
      const own = await preview(agents[A], policyAdminA);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ verdict: 'deny', policySetVersions: { baseline: baselineVersion() } });
      expect(own.body.policySetVersions?.tenant).toBeDefined();
      expect((await preview(agents[B], operator)).body.verdict).toBe('allow');
      expect((await preview(agents[B], policyAdminA)).status).toBe(403);
    });

    it('policy lists and histories show the caller’s tenant and the baseline, never another tenant', async () => {
      const policyAdminA = await user(A, ['policy-admin']);
      const listed = await getJson<{
        baseline: { version: string; policies: { id: string }[] };
        tenant: { tenantId: string; version: string; policies: { id: string }[] };
        tenants?: unknown;
      }>(`${guardrails[0].url}/v1/policies`, policyAdminA);
      expect(listed.status).toBe(200);
      expect(listed.body.baseline.version).toBe(baselineVersion());
      expect(listed.body.tenant).toMatchObject({
        tenantId: A,
        version: guardrails[0].app.get(ActivePolicySets).tenant(A)!.version,
        policies: [{ id: 'house-stop-everything' }],
      });
      expect(listed.body).not.toHaveProperty('tenants');
      expect(JSON.stringify(listed.body)).not.toContain(B);
      expect((await getJson(`${guardrails[0].url}/v1/policies?tenantId=${B}`, policyAdminA)).status).toBe(
        403,
      );

      const history = await getJson<{ sets: { scope: string; tenantId?: string; appliedBy: string }[] }>(
        `${guardrails[0].url}/v1/policies/sets`,
        policyAdminA,
      );
      expect(history.status).toBe(200);
      expect(history.body.sets.some((s) => s.scope === 'tenant' && s.tenantId === A)).toBe(true);
      expect(history.body.sets.some((s) => s.scope === 'baseline')).toBe(true);
      expect(history.body.sets.every((s) => s.scope === 'baseline' || s.tenantId === A)).toBe(true);
      expect(
        (await getJson(`${guardrails[0].url}/v1/policies/sets?tenantId=${B}`, policyAdminA)).status,
      ).toBe(403);

      // The platform sees every scope.
      const all = await getJson<{ sets: { tenantId?: string }[] }>(
        `${guardrails[0].url}/v1/policies/sets`,
        operator,
      );
      expect(all.body.sets.map((s) => s.tenantId)).toEqual(expect.arrayContaining([A, B]));
      const platform = await getJson<{ tenants: { tenantId: string }[] }>(
        `${guardrails[0].url}/v1/policies`,
        operator,
      );
      expect(platform.body.tenants.map((t) => t.tenantId)).toEqual(expect.arrayContaining([A, B]));
    });
    it('a new instance boots with every scope’s active set from PostgreSQL before it serves', async () => {
      const running = guardrails[0].app.get(ActivePolicySets);
      const fresh = await bootService('guardrail');
      try {
        const booted = fresh.app.get(ActivePolicySets);
        expect(booted.baseline?.version).toBe(running.baseline?.version);
        for (const tenantId of [A, B])
          expect(booted.tenant(tenantId)?.version).toBe(running.tenant(tenantId)?.version);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('reads are scoped by tenant', () => {
    it('breakers: a tenant’s users see its own cohorts’ states only', async () => {
      // Repricing intents feed the pricing breakers' per-tenant cohorts (through Kafka, as in production).
      for (const tenantId of [A, B]) {
        const res = await postJson(`${ingest.url}/v1/intents`, priceIntent('BAG-9', 1900), {
          'x-api-key': keys[tenantId],
        });
        expect(res.status).toBe(202);
      }
      type Breakers = { definitions: unknown[]; states: { tenantId: string; cohort: string }[] };
      const everyone = await eventually(
        async () => {
          const res = await getJson<Breakers>(`${killswitch.url}/v1/breakers`, operator);
          const tenants = new Set(res.body.states.map((s) => s.tenantId));
          return tenants.has(A) && tenants.has(B) ? res.body : null;
        },
        20_000,
        'breaker cohorts of both tenants',
      );
      expect(everyone.definitions.length).toBeGreaterThan(0);
      const sreA = await user(A, ['sre']);
      const seenByA = await getJson<Breakers>(`${killswitch.url}/v1/breakers`, sreA);
      expect(seenByA.status).toBe(200);
      expect(seenByA.body.definitions).toEqual(everyone.definitions);
      expect(seenByA.body.states.length).toBeGreaterThan(0);
      expect(seenByA.body.states.every((s) => s.tenantId === A && s.cohort.startsWith(A))).toBe(true);
      expect((await getJson(`${killswitch.url}/v1/breakers?tenantId=${B}`, sreA)).status).toBe(403);
      const oneTenant = await getJson<Breakers>(`${killswitch.url}/v1/breakers?tenantId=${B}`, operator);
      expect(oneTenant.body.states.every((s) => s.tenantId === B)).toBe(true);
    });
  });
});
