import { IntentDecidedV1, IntentProposal } from '@agentops/contracts';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIGNATURE_HEADER, verifyCallback } from '../../services/escalation/src/callbacks/callback-signature';
import { TaskView } from '../../services/escalation/src/tasks/task-model';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

const TENANT = `esc-${Date.now().toString(36)}`;
const OTHER_TENANT = `${TENANT}-other`;
const CALLBACK_SECRET = 'callback-secret-0123456789abcdef0123456789';

/** Low confidence is for a human to judge. */
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

type Decided = { intentId: string; status: string; decision: IntentDecidedV1 };

/** Issue #4 acceptance on the real stack: escalate → task → review API → the agent's waiting call. */
describe('escalation: routed review tasks and the hand-back to the waiting agent', () => {
  let ingest: RunningService;
  let guardrail: RunningService;
  let escalation: RunningService;
  let hook: Server;
  const hookCalls: { text: string }[] = [];
  const callbacks: { signature: string; body: string }[] = [];
  let callbackKey: string;
  let apiKey: string;
  let refundKey: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    let calls = 0;
    let callbackCalls = 0;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/callback') {
          // The agent's endpoint is down at first: callbacks are retried.
          res.statusCode = callbackCalls++ === 0 ? 500 : 204;
          if (res.statusCode === 204)
            callbacks.push({ signature: String(req.headers[SIGNATURE_HEADER]), body });
          res.end();
          return;
        }
        // The first call fails: notifications are retried with backoff.
        res.statusCode = calls++ === 0 ? 503 : 200;
        if (res.statusCode === 200) hookCalls.push(JSON.parse(body) as { text: string });
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
    const routesFile = join(mkdtempSync(join(tmpdir(), 'esc-routes-')), 'routes.yaml');
    writeFileSync(
      routesFile,
      `
default:
  name: default
  tiers: [{ group: reviewers, slaMs: 600000 }]
  notifyUrl: ${hookUrl}
routes:
  - name: large-refunds
    match: { actions: ["service.issue_refund"], minAmount: 500 }
    tiers: [{ group: service-leads, slaMs: 600000 }]
    fourEyes: true
  - name: flagship-pricing
    match: { actions: ["pricing.*"], params: { flagship: true } }
    tiers: [{ group: brand-pricing, slaMs: 600000 }]
`,
    );
    guardrail = await bootService('guardrail');
    escalation = await bootService('escalation', {
      GUARDRAIL_URL: guardrail.url,
      ESCALATION_ROUTES_FILE: routesFile,
      ESCALATION_NOTIFY_ATTEMPTS: '3',
      ESCALATION_CALLBACK_SECRET: CALLBACK_SECRET,
    });
    ingest = await bootService('ingest');
    await guardrail.app.get(CatalogCache).importCatalog([
      {
        tenantId: TENANT,
        sku: 'BAG-9',
        price: 2000,
        floorPrice: 1500,
        cost: 700,
        flagship: true,
        brand: 'Maison',
        category: 'bags',
      },
    ]);
    const registry = AgentRegistry.of(ingest.parts.dataSource);
    const labels = { owner: 'alice', ownerTeam: 'pricing-team' };
    apiKey = (
      await registry.register({
        id: `${TENANT}-pricing`,
        tenantId: TENANT,
        name: 'p',
        role: 'pricing',
        version: '1',
        region: 'eu',
        labels,
      })
    ).apiKey;
    const callbackUrl = hookUrl.replace('/hook', '/callback');
    callbackKey = (
      await registry.register({
        id: `${TENANT}-callback`,
        tenantId: TENANT,
        name: 'c',
        role: 'pricing',
        version: '1',
        region: 'eu',
        labels: { callbackUrl },
      })
    ).apiKey;
    refundKey = (
      await registry.register({
        id: `${TENANT}-service`,
        tenantId: TENANT,
        name: 's',
        role: 'service',
        version: '1',
        region: 'eu',
        labels,
      })
    ).apiKey;
    expect(
      (
        await applyPolicySet(guardrail.url, [
          { path: 'price-floor.yaml', content: FLOOR_POLICY },
          { path: 'low-confidence.yaml', content: LOW_CONFIDENCE },
        ])
      ).status,
    ).toBe(201);
    // Groups as the routes above name them: only their members may claim and decide.
    for (const [user, tenant, roles, groups] of [
      ['alice', TENANT, ['reviewer'], ['reviewers', 'service-leads']],
      ['bob', TENANT, ['reviewer'], ['reviewers', 'service-leads', 'brand-pricing']],
      ['carol', TENANT, ['lead'], ['reviewers', 'service-leads']],
      ['dave', TENANT, ['auditor'], ['reviewers']],
      ['eve', OTHER_TENANT, ['reviewer'], ['reviewers']],
    ] as const) {
      tokens[user] = await mintUserToken(
        { userId: user, tenantId: tenant, roles: [...roles], groups: [...groups] },
        TEST_TOKEN_SIGNER,
      );
    }
  });

  afterAll(async () => {
    await ingest?.close();
    await escalation?.close();
    await guardrail?.close();
    await new Promise((r) => hook?.close(r));
  });

  const unsure = (price: number, extra: Record<string, unknown> = {}): IntentProposal => ({
    ...priceIntent('BAG-9', price),
    params: { sku: 'BAG-9', price, currency: 'EUR', ...extra },
    confidence: 0.3,
  });
  const refund = (amount: number): IntentProposal => ({
    action: 'service.issue_refund',
    target: { type: 'order', id: 'ord-7' },
    params: { orderId: 'ord-7', amount, currency: 'EUR' },
    confidence: 0.4,
    justification: 'customer says the bag arrived scratched',
    dataUsed: [{ source: 'orders', ref: 'ord-7', dataClasses: ['order'] }],
  });
  /** The agent's held request: it resolves only with the final decision. */
  const proposeAndWait = (body: IntentProposal, key = apiKey) =>
    postJson<Decided>(`${ingest.url}/v1/intents?wait=true&timeoutMs=60000`, body, { 'x-api-key': key });
  const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
  const call = (user: string, path: string, body: unknown = {}) =>
    postJson<TaskView & { code?: string; message?: string }>(
      `${escalation.url}/v1/escalations${path}`,
      body,
      as(user),
    );
  const taskFor = (agentId: string, action: string) =>
    eventually(
      async () => {
        const res = await getJson<{ tasks: TaskView[] }>(
          `${escalation.url}/v1/escalations?status=open&agentId=${agentId}&action=${action}`,
          as('bob'),
        );
        return res.body.tasks[0];
      },
      20_000,
      `an open task for ${agentId}`,
    );

  it('opens one task with the intent, reasons, agent owner and data used; approve → the waiting call returns allow decidedBy human', async () => {
    const waiting = proposeAndWait(unsure(1800));
    const task = await taskFor(`${TENANT}-pricing`, 'pricing.set_price');
    expect(task).toMatchObject({
      status: 'open',
      route: 'default',
      group: 'reviewers',
      fourEyes: false,
      agent: { id: `${TENANT}-pricing`, owner: 'alice', ownerTeam: 'pricing-team', role: 'pricing' },
      intent: {
        action: 'pricing.set_price',
        params: { sku: 'BAG-9', price: 1800 },
        confidence: 0.3,
        dataUsed: [{ source: 'catalog', ref: 'BAG-9' }],
      },
    });
    expect(task.reasons.find((r) => r.effect === 'escalate')?.policyId).toBe('low-confidence');
    expect(Date.parse(task.dueAt!) - Date.parse(task.createdAt)).toBe(600_000); // the default route's SLA

    expect((await call('bob', `/${task.id}/claim`)).body.claimedBy).toBe('bob');
    expect((await call('carol', `/${task.id}/claim`)).status).toBe(409);
    expect((await call('carol', `/${task.id}/comments`, { text: 'looks fine to me' })).body.comments).toEqual(
      [expect.objectContaining({ by: 'carol', text: 'looks fine to me' })],
    );
    const approved = await call('bob', `/${task.id}/approve`, { comment: 'seasonal markdown' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'resolved', resolution: 'approved' });

    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'human', reviewers: ['bob'] });
    // The agent-facing record now holds the final decision, not the escalate verdict.
    const fetched = await getJson<Decided>(`${ingest.url}/v1/intents/${answer.body.intentId}/decision`, {
      'x-api-key': apiKey,
    });
    expect(fetched.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'human' });
    // Closed now: a second decision is a conflict.
    expect((await call('carol', `/${task.id}/reject`)).status).toBe(409);
    expect((await call('carol', `/${task.id}/approve`)).status).toBe(409);
    // The route's webhook heard about it (after one failed attempt).
    await eventually(
      async () => hookCalls.some((c) => c.text.includes(task.id) && c.text.includes('approved')),
      10_000,
      'the resolution notification',
    );
  });

  it('opens exactly one task per intent, even when the verdict is delivered again', async () => {
    const waiting = proposeAndWait(unsure(1750));
    const task = await taskFor(`${TENANT}-pricing`, 'pricing.set_price');
    const ds = escalation.parts.dataSource;
    const [row] = await ds.query(`SELECT envelope FROM escalated_decisions WHERE intent_id = $1`, [
      task.intentId,
    ]);
    const { TaskWorkflow } = await import('../../services/escalation/src/tasks/task-workflow');
    await escalation.app.get(TaskWorkflow).onEscalated(row.envelope);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM tasks WHERE intent_id = $1`, [
      task.intentId,
    ]);
    expect(n).toBe(1);
    const [{ opened }] = await ds.query(
      `SELECT count(*)::int AS opened FROM outbox WHERE event_type = 'agentops.escalation.opened.v1' AND envelope->>'correlationid' = $1`,
      [task.intentId],
    );
    expect(opened).toBe(1);
    await call('bob', `/${task.id}/reject`, { comment: 'no markdowns on flagship bags this week' });
    const answer = await waiting;
    expect(answer.body.decision).toMatchObject({ verdict: 'deny', decidedBy: 'human', reviewers: ['bob'] });
    expect(answer.body.decision.reasons[0].message).toContain('no markdowns on flagship bags');
  });

  it('refuses an edit that a deny policy would block (422); an acceptable edit returns modify with the new params', async () => {
    const waiting = proposeAndWait(unsure(1600, { flagship: true }));
    const task = await taskFor(`${TENANT}-pricing`, 'pricing.set_price');
    expect(task).toMatchObject({ route: 'flagship-pricing', group: 'brand-pricing' });
    const refused = await call('bob', `/${task.id}/approve`, {
      params: { sku: 'BAG-9', price: 1000, currency: 'EUR', flagship: true },
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('below the floor');
    const ok = await call('bob', `/${task.id}/approve`, {
      params: { sku: 'BAG-9', price: 1700, currency: 'EUR', flagship: true },
      comment: 'meet in the middle',
    });
    expect(ok.body).toMatchObject({ status: 'resolved', resolution: 'modified' });
    const answer = await waiting;
    expect(answer.body.decision).toMatchObject({
      verdict: 'modify',
      decidedBy: 'human',
      modifiedParams: { price: 1700 },
      reviewers: ['bob'],
    });
  });

  it('four-eyes: the agent owner is refused, one approver is not enough, the same one twice neither; two distinct approvers decide', async () => {
    const waiting = proposeAndWait(refund(900), refundKey);
    const task = await taskFor(`${TENANT}-service`, 'service.issue_refund');
    expect(task).toMatchObject({
      route: 'large-refunds',
      group: 'service-leads',
      fourEyes: true,
      requiredApprovals: 2,
    });
    expect((await call('alice', `/${task.id}/approve`)).status).toBe(403);
    const first = await call('bob', `/${task.id}/approve`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'open', approvals: [expect.objectContaining({ by: 'bob' })] });
    expect((await call('bob', `/${task.id}/approve`)).status).toBe(409);
    const second = await call('carol', `/${task.id}/approve`);
    expect(second.body).toMatchObject({ status: 'resolved', resolution: 'approved' });
    const answer = await waiting;
    expect(answer.body.decision).toMatchObject({
      verdict: 'allow',
      decidedBy: 'human',
      reviewers: ['bob', 'carol'],
    });
  });

  it('lists decided tasks most recently resolved first (a resolved task has no due time to sort by)', async () => {
    const res = await getJson<{ tasks: { resolvedAt: string | null }[] }>(
      `${escalation.url}/v1/escalations?status=resolved&limit=500`,
      { authorization: `Bearer ${tokens.bob}` },
    );
    const times = res.body.tasks.map((t) => Date.parse(t.resolvedAt!));
    expect(times.length).toBeGreaterThan(2);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('a non-waiting agent sees the escalate verdict, then the final decision, through GET /v1/intents/:id/decision', async () => {
    const accepted = await postJson<{ intentId: string; status: string }>(
      `${ingest.url}/v1/intents`,
      unsure(1900),
      { 'x-api-key': apiKey },
    );
    expect(accepted.status).toBe(202);
    const { intentId } = accepted.body;
    const fetch = () =>
      getJson<Decided>(`${ingest.url}/v1/intents/${intentId}/decision`, { 'x-api-key': apiKey });
    await eventually(
      async () => (await fetch()).body.decision?.verdict === 'escalate',
      20_000,
      'the escalate verdict',
    );
    const task = await taskFor(`${TENANT}-pricing`, 'pricing.set_price');
    expect(task.intentId).toBe(intentId);
    await call('carol', `/${task.id}/approve`);
    const final = await eventually(
      async () => {
        const d = (await fetch()).body.decision;
        return d?.decidedBy === 'human' ? d : undefined;
      },
      20_000,
      'the human decision',
    );
    expect(final).toMatchObject({ verdict: 'allow', reviewers: ['carol'] });
  });

  it('calls an agent labelled callbackUrl back with the signed final decision, retrying a failed delivery', async () => {
    const { intentId } = (
      await postJson<{ intentId: string }>(`${ingest.url}/v1/intents`, unsure(1950), {
        'x-api-key': callbackKey,
      })
    ).body;
    const task = await taskFor(`${TENANT}-callback`, 'pricing.set_price');
    expect(task.intentId).toBe(intentId);
    await call('bob', `/${task.id}/approve`);
    const received = await eventually(
      async () => callbacks.find((c) => c.body.includes(intentId)),
      20_000,
      'the signed callback',
    );
    expect(
      verifyCallback(CALLBACK_SECRET, received.body, received.signature, Math.floor(Date.now() / 1000)),
    ).toBe(true);
    expect(
      verifyCallback(
        'another-secret-0123456789abcdef0123',
        received.body,
        received.signature,
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    expect(JSON.parse(received.body)).toMatchObject({
      intentId,
      decision: { verdict: 'allow', decidedBy: 'human', reviewers: ['bob'] },
    });
    // The delivery is recorded after the agent's endpoint answered: wait for that write.
    const row = await eventually(
      async () => {
        const [r] = (await escalation.parts.dataSource.query(
          `SELECT attempts, delivered_at FROM callbacks WHERE body->>'intentId' = $1`,
          [intentId],
        )) as { attempts: number; delivered_at: Date | null }[];
        return r?.delivered_at ? r : undefined;
      },
      10_000,
      'the delivery to be recorded',
    );
    expect(row.attempts).toBe(2);
  });

  it('answers 404 for an unknown task or another tenant’s, 403 without a reviewer role, 401 without a token', async () => {
    const waiting = proposeAndWait(unsure(1850));
    const task = await taskFor(`${TENANT}-pricing`, 'pricing.set_price');
    const unknown = '0190a000-0000-7000-8000-000000000000';
    expect((await call('bob', `/${unknown}/approve`)).status).toBe(404);
    expect((await getJson(`${escalation.url}/v1/escalations/${unknown}`, as('bob'))).status).toBe(404);
    expect((await call('eve', `/${task.id}/approve`)).status).toBe(404);
    expect((await getJson(`${escalation.url}/v1/escalations/${task.id}`, as('eve'))).status).toBe(404);
    expect((await getJson(`${escalation.url}/v1/escalations?tenantId=${TENANT}`, as('eve'))).status).toBe(
      403,
    );
    expect(
      (await getJson<{ tasks: TaskView[] }>(`${escalation.url}/v1/escalations`, as('eve'))).body.tasks,
    ).toEqual([]);
    expect((await call('dave', `/${task.id}/approve`)).status).toBe(403);
    expect((await postJson(`${escalation.url}/v1/escalations/${task.id}/approve`, {})).status).toBe(401);
    expect((await call('bob', `/${task.id}/approve`, { params: 'nope' })).status).toBe(400);
    await call('bob', `/${task.id}/reject`);
    expect((await waiting).body.decision.verdict).toBe('deny');
  });
});
