import { IntentProposal } from '@agentops/contracts';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskView } from '../../services/escalation/src/tasks/task-model';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER, TEST_OPERATOR_TOKEN } from '../support/test-env';

const TENANT = `trust-${Date.now().toString(36)}`;
const CALLBACK_SECRET = 'callback-secret-0123456789abcdef0123456789';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence, version: "1" }
spec:
  match: { actions: ["*"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;

/** What an agent endpoint or a webhook receiver saw: every request, by path. */
class Receiver {
  readonly hits: string[] = [];
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.hits.push(req.url ?? '');
      req.resume();
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: `http://127.0.0.1:${this.port}/landed${req.url}` });
        res.end();
        return;
      }
      res.writeHead(204);
      res.end();
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  url(path: string, host = '127.0.0.1', scheme = 'http'): string {
    return `${scheme}://${host}:${this.port}${path}`;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const unsurePrice = (sku: string, price: number, extra: Record<string, unknown> = {}): IntentProposal => ({
  ...priceIntent(sku, price),
  params: { sku, price, currency: 'EUR', ...extra },
  confidence: 0.3,
});
const unsureRefund = (amount: number): IntentProposal => ({
  action: 'service.issue_refund',
  target: { type: 'order', id: 'ord-1' },
  params: { orderId: 'ord-1', amount, currency: 'EUR' },
  confidence: 0.3,
  justification: 'customer reports a scratched bag',
  dataUsed: [],
});

type Decided = { intentId: string; decision?: { verdict: string; decidedBy: string; reviewers?: string[] } };

/**
 * Issue #12 items 8 and 9 on the real stack: callbacks and webhooks only to https and public
 * addresses (checked where the URL enters and after DNS at send time, no redirects followed);
 * four-eyes keyed on catalog facts, edits that re-route need the new route's approvals, and
 * reviewer groups in tokens enforced.
 */
describe('escalation trust boundaries: callbacks, facts-based routing, reviewer groups', () => {
  let ingest: RunningService;
  let guardrail: RunningService;
  let registry: AgentRegistry;
  const receiver = new Receiver();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    await receiver.start();
    guardrail = await bootService('guardrail');
    ingest = await bootService('ingest');
    registry = AgentRegistry.of(ingest.parts.dataSource);
    await guardrail.app.get(CatalogCache).importCatalog([
      {
        tenantId: TENANT,
        sku: 'BAG-1',
        price: 3000,
        floorPrice: 2000,
        cost: 900,
        flagship: true,
        brand: 'Maison',
        category: 'bags',
      },
      {
        tenantId: TENANT,
        sku: 'SCARF-2',
        price: 400,
        floorPrice: 200,
        cost: 80,
        flagship: false,
        brand: 'Maison',
        category: 'accessories',
      },
    ]);
    expect(
      (
        await applyPolicySet(guardrail.url, [
          { path: 'price-floor.yaml', content: FLOOR_POLICY },
          { path: 'low-confidence.yaml', content: LOW_CONFIDENCE },
        ])
      ).status,
    ).toBe(201);
    for (const [user, groups] of [
      ['rita', ['reviewers']],
      ['paul', ['brand-pricing']],
      ['dora', ['brand-directors']],
      ['sam', ['service-reviewers']],
      ['lee', ['service-leads']],
      ['lia', ['service-leads']],
    ] as const)
      tokens[user] = await mintUserToken(
        { userId: user, tenantId: TENANT, roles: ['reviewer'], groups: [...groups] },
        TEST_TOKEN_SIGNER,
      );
  });

  afterAll(async () => {
    await ingest?.close();
    await guardrail?.close();
    await receiver.close();
  });

  const register = async (id: string, role: 'pricing' | 'service', labels: Record<string, string> = {}) =>
    (await registry.register({ id, tenantId: TENANT, name: id, role, version: '1', region: 'eu', labels }))
      .apiKey;
  const propose = (key: string, intent: IntentProposal) =>
    postJson<Decided>(`${ingest.url}/v1/intents`, intent, { 'x-api-key': key });

  describe('registration: a callbackUrl label is checked where it enters', () => {
    const registerOverHttp = (id: string, callbackUrl: string) =>
      postJson<{ issues?: { path: string; message: string }[] }>(
        `${ingest.url}/v1/agents`,
        {
          id,
          tenantId: TENANT,
          name: id,
          role: 'pricing',
          version: '1',
          region: 'eu',
          labels: { callbackUrl },
        },
        operator,
      );

    it('refuses http, credentials and inside addresses with a 400 naming labels.callbackUrl; accepts https to a public host', async () => {
      for (const [url, reason] of [
        ['http://hooks.example.com/cb', /must use https/],
        ['http://10.1.2.3/cb', /must use https/],
        ['https://169.254.169.254/latest/meta-data', /link-local/],
        ['https://[::ffff:10.0.0.1]/cb', /IPv4-mapped/],
        ['https://192.168.0.10/cb', /private/],
        ['https://user:pw@hooks.example.com/cb', /credentials/],
      ] as const) {
        const res = await registerOverHttp(`${TENANT}-bad-${Math.random().toString(36).slice(2, 7)}`, url);
        expect({ url, status: res.status }).toEqual({ url, status: 400 });
        expect(res.body.issues).toEqual([
          { path: 'labels.callbackUrl', message: expect.stringMatching(reason) },
        ]);
      }
      expect((await registerOverHttp(`${TENANT}-good`, 'https://hooks.example.com/cb')).status).toBe(201);
    });
  });

  describe('in development mode', () => {
    let escalation: RunningService;

    beforeAll(async () => {
      const routes = join(mkdtempSync(join(tmpdir(), 'esc-trust-')), 'routes.yaml');
      writeFileSync(
        routes,
        `
default:
  name: default
  tiers: [{ group: reviewers, slaMs: 600000 }]
  notifyUrl: ${receiver.url('/redirect-hook')}
routes:
  - name: large-refunds
    match: { actions: ["service.issue_refund"], minAmount: 500 }
    tiers: [{ group: service-leads, slaMs: 600000 }]
    fourEyes: true
  - name: flagship-pricing
    match: { actions: ["pricing.*"], item: { flagship: true } }
    tiers: [{ group: brand-pricing, slaMs: 600000 }, { group: brand-directors, slaMs: 600000 }]
    fourEyes: true
  - name: customer-service
    match: { actions: ["service.*"] }
    tiers: [{ group: service-reviewers, slaMs: 600000 }]
`,
      );
      escalation = await bootService('escalation', {
        GUARDRAIL_URL: guardrail.url,
        ESCALATION_ROUTES_FILE: routes,
        ESCALATION_CALLBACK_SECRET: CALLBACK_SECRET,
        ESCALATION_NOTIFY_ATTEMPTS: '3',
      });
    });
    afterAll(() => escalation?.close());

    const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
    const act = (user: string, id: string, what: 'claim' | 'approve' | 'reject', body: unknown = {}) =>
      postJson<TaskView & { message?: string }>(
        `${escalation.url}/v1/escalations/${id}/${what}`,
        body,
        user === 'operator' ? operator : as(user),
      );
    const taskOf = (intentId: string) =>
      eventually(
        async () => {
          const res = await getJson<{ tasks: TaskView[] }>(
            `${escalation.url}/v1/escalations?tenantId=${TENANT}&limit=500`,
            operator,
          );
          return res.body.tasks.find((t) => t.intentId === intentId);
        },
        20_000,
        `the task of ${intentId}`,
      );

    it('a flagship SKU gets four-eyes by the catalog, whatever params.flagship claims', async () => {
      const key = await register(`${TENANT}-pricer`, 'pricing');
      const { intentId } = (await propose(key, unsurePrice('BAG-1', 2800, { flagship: false }))).body;
      const task = await taskOf(intentId);
      expect(task).toMatchObject({
        route: 'flagship-pricing',
        group: 'brand-pricing',
        fourEyes: true,
        requiredApprovals: 2,
        decidingGroups: ['brand-pricing', 'brand-directors'],
      });
      expect((await act('paul', task.id, 'approve')).body).toMatchObject({ status: 'open' });
      // brand-directors is the route's next tier: it outranks brand-pricing and may give the second approval.
      expect((await act('dora', task.id, 'approve')).body).toMatchObject({
        status: 'resolved',
        resolution: 'approved',
      });
      // A non-flagship SKU claiming to be flagship stays on the ordinary queue.
      const scarf = (await propose(key, unsurePrice('SCARF-2', 350, { flagship: true }))).body;
      expect(await taskOf(scarf.intentId)).toMatchObject({ route: 'default', fourEyes: false });
      expect((await act('rita', (await taskOf(scarf.intentId)).id, 'reject')).status).toBe(200);
    });

    it('a reviewer outside the route’s groups gets 403 on claim, approve and reject; the operator keeps break-glass, recorded', async () => {
      const key = await register(`${TENANT}-pricer-2`, 'pricing');
      const { intentId } = (await propose(key, unsurePrice('BAG-1', 2900))).body;
      const task = await taskOf(intentId);
      for (const what of ['claim', 'approve', 'reject'] as const) {
        const res = await act('rita', task.id, what);
        expect({ what, status: res.status }).toEqual({ what, status: 403 });
        expect(res.body.message).toContain('brand-pricing, brand-directors');
      }
      expect((await act('sam', task.id, 'approve')).status).toBe(403);
      expect((await act('paul', task.id, 'claim')).status).toBe(200);
      const glass = await act('operator', task.id, 'reject', { comment: 'incident: freeze flagship prices' });
      expect(glass.status).toBe(200);
      expect(glass.body).toMatchObject({ status: 'resolved', resolution: 'rejected' });
      expect(glass.body.history.at(-1)?.what).toContain('(break-glass)');
    });

    it('an edit that moves the task to another route needs that route’s approvals (amount and SKU edits)', async () => {
      const serviceKey = await register(`${TENANT}-service`, 'service');
      const small = (await propose(serviceKey, unsureRefund(120))).body;
      const refund = await taskOf(small.intentId);
      expect(refund).toMatchObject({ route: 'customer-service', fourEyes: false });
      // sam may decide customer-service, but his edit makes it a large refund: not his to approve alone.
      const edited = await act('sam', refund.id, 'approve', {
        params: { orderId: 'ord-1', amount: 900, currency: 'EUR' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({
        status: 'open',
        route: 'large-refunds',
        group: 'service-leads',
        fourEyes: true,
        requiredApprovals: 2,
      });
      expect(edited.body.history.map((h) => h.what)).toContainEqual(
        expect.stringContaining('moves the task from route customer-service to route large-refunds'),
      );
      expect((await act('sam', refund.id, 'approve')).status).toBe(403);
      expect((await act('lee', refund.id, 'approve')).body).toMatchObject({ status: 'open' });
      const done = await act('lia', refund.id, 'approve');
      expect(done.body).toMatchObject({ status: 'resolved', resolution: 'modified' });
      expect(done.body.finalDecision).toMatchObject({
        verdict: 'modify',
        modifiedParams: { amount: 900 },
        reviewers: ['lee', 'lia'],
      });

      // A SKU edit re-routes on the catalog facts guardrail re-checked the edit with.
      const pricerKey = await register(`${TENANT}-pricer-3`, 'pricing');
      const scarf = (await propose(pricerKey, unsurePrice('SCARF-2', 380))).body;
      const ordinary = await taskOf(scarf.intentId);
      expect(ordinary).toMatchObject({ route: 'default', fourEyes: false });
      const moved = await act('rita', ordinary.id, 'approve', {
        params: { sku: 'BAG-1', price: 2900, currency: 'EUR' },
      });
      expect(moved.body).toMatchObject({ status: 'open', route: 'flagship-pricing', requiredApprovals: 2 });
      expect((await act('paul', ordinary.id, 'approve')).body).toMatchObject({ status: 'open' });
      expect((await act('dora', ordinary.id, 'approve')).body).toMatchObject({
        status: 'resolved',
        finalDecision: { modifiedParams: { sku: 'BAG-1' }, reviewers: ['paul', 'dora'] },
      });
    });

    it('does not follow a redirect from a callback endpoint or a webhook, and does not retry it', async () => {
      const key = await register(`${TENANT}-redirected`, 'pricing', {
        callbackUrl: receiver.url('/redirect-callback'),
      });
      const { intentId } = (await propose(key, unsurePrice('SCARF-2', 390))).body;
      const task = await taskOf(intentId);
      expect((await act('rita', task.id, 'approve')).status).toBe(200);
      const row = await eventually(
        async () => {
          const [r] = (await escalation.parts.dataSource.query(
            `SELECT attempts, delivered_at, last_error FROM callbacks WHERE body->>'intentId' = $1`,
            [intentId],
          )) as { attempts: number; delivered_at: Date | null; last_error: string | null }[];
          return r?.last_error ? r : undefined;
        },
        20_000,
        'the callback attempt',
      );
      expect(row).toMatchObject({ delivered_at: null, attempts: 8 });
      expect(row.last_error).toMatch(/^refused: answered 302: redirects are not followed/);
      // The route's webhook (notifyUrl) redirected too: called, never followed.
      await eventually(
        async () => receiver.hits.includes('/redirect-hook'),
        10_000,
        'the notification attempt',
      );
      expect(receiver.hits.filter((h) => h === '/redirect-callback')).toHaveLength(1);
      expect(receiver.hits.filter((h) => h.startsWith('/landed'))).toEqual([]);
    });
  });

  describe('outside development mode', () => {
    let escalation: RunningService;
    const ownName = hostname();

    beforeAll(async () => {
      const routes = join(mkdtempSync(join(tmpdir(), 'esc-trust-prod-')), 'routes.yaml');
      // Passes the load-time check (a name, https); DNS says where it really points.
      writeFileSync(
        routes,
        `
default:
  name: default
  tiers: [{ group: reviewers, slaMs: 600000 }]
  notifyUrl: ${receiver.url('/hook-by-name', ownName, 'https')}
`,
      );
      escalation = await bootService('escalation', {
        AGENTOPS_ENV: 'production',
        GUARDRAIL_URL: guardrail.url,
        ESCALATION_ROUTES_FILE: routes,
        ESCALATION_CALLBACK_SECRET: CALLBACK_SECRET,
      });
    });
    afterAll(() => escalation?.close());

    it('refuses at send time a callback to loopback http, and to a name that DNS resolves to an inside address', async () => {
      receiver.hits.splice(0);
      // Labels stored before ingest checked them (or written around it) are checked again when sent.
      const cases = [
        [`${TENANT}-prod-http`, receiver.url('/cb-http'), /^refused: the URL must use https/],
        [
          `${TENANT}-prod-dns`,
          receiver.url('/cb-dns', ownName, 'https'),
          new RegExp(`^refused: ${ownName.toLowerCase()} resolves to [^ ]+, an? [a-z -]+ address`),
        ],
      ] as const;
      const reviewer = await mintUserToken(
        { userId: 'rita', tenantId: TENANT, roles: ['reviewer'], groups: ['reviewers'] },
        TEST_TOKEN_SIGNER,
      );
      for (const [id, callbackUrl, reason] of cases) {
        const key = await register(id, 'pricing', { callbackUrl });
        const { intentId } = (await propose(key, unsurePrice('SCARF-2', 395))).body;
        const task = await eventually(
          async () =>
            (
              await getJson<{ tasks: TaskView[] }>(`${escalation.url}/v1/escalations?agentId=${id}`, {
                authorization: `Bearer ${reviewer}`,
              })
            ).body.tasks[0],
          20_000,
          `the task of ${id}`,
        );
        expect(task.intentId).toBe(intentId);
        const approved = await postJson(
          `${escalation.url}/v1/escalations/${task.id}/approve`,
          {},
          { authorization: `Bearer ${reviewer}` },
        );
        expect(approved.status).toBe(200);
        const row = await eventually(
          async () => {
            const [r] = (await escalation.parts.dataSource.query(
              `SELECT delivered_at, last_error FROM callbacks WHERE body->>'intentId' = $1`,
              [intentId],
            )) as { delivered_at: Date | null; last_error: string | null }[];
            return r?.last_error ? r : undefined;
          },
          20_000,
          `the refused callback of ${id}`,
        );
        expect(row.delivered_at).toBeNull();
        expect(row.last_error).toMatch(reason);
      }
      // The route's webhook of those resolutions was refused as well: by DNS, before any connection.
      await eventually(
        async () => {
          const text = await (await fetch(`${escalation.url}/metrics`)).text();
          const refused =
            /agentops_escalation_outbound_calls_total\{[^}]*purpose="notification",outcome="refused"[^}]*\} (\d+)/.exec(
              text,
            );
          return Number(refused?.[1] ?? 0) >= 2;
        },
        10_000,
        'both notifications refused',
      );
      expect(receiver.hits).toEqual([]);
    });
  });
});
