import { Topics, topicName } from '@agentops/contracts';
import { AgentOpsClient, HaltedError, IntentDeniedError, PendingReview } from '@agentops/sdk';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskView } from '../../services/escalation/src/tasks/task-model';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { groupCaughtUp } from '../support/kafka-probe';
import { TEST_TOKEN_SIGNER, TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

const TENANT = `sdk-${Date.now().toString(36)}`;
const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence, version: "1" }
spec:
  match: { actions: ["pricing.*"] }
  validations:
    - expression: "intent.confidence >= 0.5"
      message: the agent is unsure; a human decides
      effect: escalate
`;

interface PendingAnswer {
  intentId: string;
  status: string;
  decision: { verdict: string };
  escalation: PendingReview;
  poll: string;
}

async function reviewerHeaders(userId: string): Promise<Record<string, string>> {
  return {
    authorization: `Bearer ${await mintUserToken({ userId, tenantId: TENANT, roles: ['reviewer'], groups: ['reviewers'] }, TEST_TOKEN_SIGNER)}`,
  };
}

/** The SDK against the real ingest, guardrail, escalation and killswitch. */
describe('agent SDK on the real stack', () => {
  let ingest: RunningService;
  let guardrail: RunningService;
  let escalation: RunningService;
  let killswitch: RunningService;
  let agentId: string;
  let apiKey: string;
  let client: AgentOpsClient;

  beforeAll(async () => {
    guardrail = await bootService('guardrail');
    killswitch = await bootService('killswitch');
    const routes = join(mkdtempSync(join(tmpdir(), 'sdk-routes-')), 'routes.yaml');
    writeFileSync(routes, 'default:\n  name: default\n  tiers: [{ group: reviewers, slaMs: 600000 }]\n');
    escalation = await bootService('escalation', {
      GUARDRAIL_URL: guardrail.url,
      ESCALATION_ROUTES_FILE: routes,
    });
    // Its consumer groups resume where an earlier suite's escalation stopped: let them catch up first
    // (the proposals are read by a batch consumer of their own, the decisions per message).
    await groupCaughtUp(`${runPrefix()}escalation-intents`, [topicName(Topics.intents, runPrefix())]);
    await groupCaughtUp(`${runPrefix()}escalation`, [topicName(Topics.decisions, runPrefix())]);
    ingest = await bootService('ingest');
    await guardrail.app.get(CatalogCache).importCatalog([
      {
        tenantId: TENANT,
        sku: 'BAG-2',
        price: 2000,
        floorPrice: 1500,
        cost: 700,
        flagship: true,
        brand: 'Maison',
        category: 'bags',
      },
    ]);
    expect(
      (
        await applyPolicySet(guardrail.url, [
          { path: 'floor.yaml', content: FLOOR_POLICY },
          { path: 'low.yaml', content: LOW_CONFIDENCE },
        ])
      ).status,
    ).toBe(201);
    agentId = `${TENANT}-pricing`;
    ({ apiKey } = await AgentRegistry.of(ingest.parts.dataSource).register({
      id: agentId,
      tenantId: TENANT,
      name: 'sdk agent',
      role: 'pricing',
      version: '3.1.0',
      region: 'eu',
    }));
    client = new AgentOpsClient({
      baseUrl: ingest.url,
      apiKey,
      maxWaitMs: 15_000,
      pollIntervalMs: 100,
      onWarning: () => undefined,
    });
  });

  afterAll(async () => {
    client?.close();
    for (const s of [ingest, escalation, killswitch, guardrail]) await s?.close();
  });

  it('allow runs execute once, with the decided params, and reports the outcome', async () => {
    const execute = jest.fn(async ({ params }: { params: Record<string, unknown> }) => ({
      applied: params.price,
    }));
    const result = await client.guard(priceIntent('BAG-2', 1800), execute);
    expect(result).toEqual({ applied: 1800 });
    expect(execute).toHaveBeenCalledTimes(1);
    await eventually(
      async () => {
        const rows = await guardrail.parts.dataSource.query(
          `SELECT violation FROM guardrail.verifications v JOIN guardrail.decisions d USING (intent_id) WHERE d.agent_id = $1`,
          [agentId],
        );
        return rows.length === 1 && rows[0].violation === false;
      },
      20_000,
      'the reported outcome verified without violation',
    );
  });

  it('deny never runs execute and throws with the reasons', async () => {
    const execute = jest.fn(async () => 'done');
    const error = await client.guard(priceIntent('BAG-2', 900), execute).catch((e) => e);
    expect(error).toBeInstanceOf(IntentDeniedError);
    expect((error as IntentDeniedError).reasons[0]).toMatchObject({
      policyId: 'price-floor',
      effect: 'deny',
    });
    expect(execute).not.toHaveBeenCalled();
  });

  it('escalate: guard() is told pending review, then resumes with the human decision', async () => {
    // The agent's proposal, watched: ingest answers it 202 pending review (Prefer: respond-async) at
    // once, and the SDK follows the review by polling until the human decides.
    let heldProposals = 0;
    const watched = new AgentOpsClient({
      baseUrl: ingest.url,
      apiKey,
      maxWaitMs: 30_000,
      pollIntervalMs: 100,
      onWarning: () => undefined,
      fetch: async (input, init) => {
        const proposal = init?.method === 'POST' && new URL(String(input)).pathname === '/v1/intents';
        if (proposal) heldProposals++;
        try {
          return await fetch(input, init);
        } finally {
          if (proposal) heldProposals--;
        }
      },
    });
    const execute = jest.fn(
      async ({ decision }: { decision: { decidedBy: string; reviewers?: string[] } }) => ({
        by: decision.decidedBy,
        reviewers: decision.reviewers,
      }),
    );
    const reviews: PendingReview[] = [];
    const guarded = watched.guard({ ...priceIntent('BAG-2', 1700), confidence: 0.3 }, execute, {
      onPendingReview: (r) => reviews.push(r),
    });
    const reviewer = {
      authorization: `Bearer ${await mintUserToken({ userId: 'ana', tenantId: TENANT, roles: ['reviewer'], groups: ['reviewers'] }, TEST_TOKEN_SIGNER)}`,
    };
    const task = await eventually(
      async () =>
        (
          await getJson<{ tasks: TaskView[] }>(
            `${escalation.url}/v1/escalations?status=open&agentId=${agentId}`,
            reviewer,
          )
        ).body.tasks[0],
      20_000,
      'the review task',
    );
    expect(task.reasons.find((r) => r.effect === 'escalate')?.policyId).toBe('low-confidence');
    // What the agent is told meanwhile: pending review, not a decision to act on.
    const meanwhile = await eventually(async () => {
      const res = await getJson<{ status: string; decision: { verdict: string } }>(
        `${ingest.url}/v1/intents/${task.intentId}/decision`,
        { 'x-api-key': apiKey },
      );
      return res.status === 200 ? res.body : undefined;
    });
    expect(meanwhile).toMatchObject({ status: 'pending_review', decision: { verdict: 'escalate' } });
    // The 202 follows escalation's task-opened event, which the reviewers' list may show first.
    await eventually(async () => reviews.length > 0, 10_000, 'the SDK told of the pending review');
    expect(heldProposals).toBe(0);
    expect(reviews).toEqual([
      expect.objectContaining({
        intentId: task.intentId,
        taskId: task.id,
        route: 'default',
        timeoutOutcome: 'deny',
      }),
    ]);
    expect(execute).not.toHaveBeenCalled();

    const approved = await postJson(`${escalation.url}/v1/escalations/${task.id}/approve`, {}, reviewer);
    expect(approved.status).toBe(200);
    await expect(guarded).resolves.toEqual({ by: 'human', reviewers: ['ana'] });
    expect(execute).toHaveBeenCalledTimes(1);
    watched.close();
  });

  it('a wait on an escalated intent answers 202 pending review with the task, its SLA and where to poll; the approval reaches the agent', async () => {
    const res = await fetch(`${ingest.url}/v1/intents?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({ ...priceIntent('BAG-2', 1750), confidence: 0.2 }),
    });
    const body = (await res.json()) as PendingAnswer;
    expect(res.status).toBe(202);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('location')).toBe(`/v1/intents/${body.intentId}/decision`);
    expect(body).toMatchObject({
      status: 'pending_review',
      decision: { verdict: 'escalate', decidedBy: 'policy' },
      escalation: {
        intentId: body.intentId,
        taskId: expect.any(String),
        route: 'default',
        slaDueAt: expect.any(String),
        timeoutAt: expect.any(String),
        timeoutOutcome: 'deny',
      },
      poll: `/v1/intents/${body.intentId}/decision`,
    });
    // The route's SLA, as escalation holds it (10 minutes, one tier).
    const reviewer = await reviewerHeaders('ben');
    const task = (
      await getJson<TaskView>(`${escalation.url}/v1/escalations/${body.escalation.taskId}`, reviewer)
    ).body;
    expect(task).toMatchObject({ intentId: body.intentId, status: 'open', dueAt: body.escalation.slaDueAt });
    expect(Date.parse(body.escalation.timeoutAt!) - Date.parse(task.createdAt)).toBe(600_000);

    // Polling says the same until the human decides.
    const polled = await getJson<PendingAnswer>(`${ingest.url}/v1/intents/${body.intentId}/decision`, {
      'x-api-key': apiKey,
    });
    expect(polled.body).toMatchObject({
      status: 'pending_review',
      escalation: { taskId: body.escalation.taskId },
    });

    // The approval is what the agent finds where it was told to poll.
    expect((await postJson(`${escalation.url}/v1/escalations/${task.id}/approve`, {}, reviewer)).status).toBe(
      200,
    );
    const decided = await eventually(async () => {
      const r = await getJson<{ status: string; decision: { verdict: string; decidedBy: string } }>(
        `${ingest.url}/v1/intents/${body.intentId}/decision`,
        { 'x-api-key': apiKey },
      );
      return r.body.status === 'decided' ? r.body : undefined;
    });
    expect(decided.decision).toMatchObject({ verdict: 'allow', decidedBy: 'human' });
  });

  it('a named wait that ends before the human decides is still pending review: no timeout deny, and the approval reaches guard()', async () => {
    const intent = { ...priceIntent('BAG-2', 1760), confidence: 0.25 };
    const idempotencyKey = `held-${Date.now()}`;
    const res = await postJson<PendingAnswer>(`${ingest.url}/v1/intents?wait=true&timeoutMs=1500`, intent, {
      'x-api-key': apiKey,
      'idempotency-key': idempotencyKey,
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending_review', decision: { verdict: 'escalate' } });
    const intentId = res.body.intentId;
    // Nothing told the platform (or escalation) the agent was denied: the task stays open.
    const reviewer = await reviewerHeaders('ana');
    const task = await eventually(
      async () =>
        (
          await getJson<{ tasks: TaskView[] }>(
            `${escalation.url}/v1/escalations?status=open&agentId=${agentId}`,
            reviewer,
          )
        ).body.tasks.find((t) => t.intentId === intentId),
      20_000,
      'the open review task',
    );
    // The agent comes back through the SDK with the same key: guard() resolves with the approval.
    const execute = jest.fn(async ({ decision }: { decision: { decidedBy: string } }) => decision.decidedBy);
    const guarded = client.guard(intent, execute, { idempotencyKey });
    expect((await postJson(`${escalation.url}/v1/escalations/${task.id}/approve`, {}, reviewer)).status).toBe(
      200,
    );
    await expect(guarded).resolves.toBe('human');
    expect(execute).toHaveBeenCalledTimes(1);
    // Closed by the approval, not by a timeout deny that escalation would have closed it with.
    const resolved = (await getJson<TaskView>(`${escalation.url}/v1/escalations/${task.id}`, reviewer)).body;
    expect(resolved).toMatchObject({ status: 'resolved', resolution: 'approved' });
  });

  it('a halt for the cohort aborts running work', async () => {
    await client.listen();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const guarded = client.guard(priceIntent('BAG-2', 1850), async ({ signal }) => {
      started();
      await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    await running;
    // Handle the rejection before flipping: the halt can reach the SDK before the flip's HTTP
    // answer reaches the test, and a rejection nobody handles yet fails the test on its own.
    const outcome = guarded.catch((e: unknown) => e);
    const flip = await postJson<{ switchId: string }>(
      `${killswitch.url}/v1/killswitches`,
      { selector: { tenantId: TENANT, agentId }, reason: 'sdk test: stop this agent' },
      { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
    );
    expect(flip.status).toBe(201);
    const error = await outcome;
    expect(error).toBeInstanceOf(HaltedError);
    expect((error as HaltedError).reason).toBe('sdk test: stop this agent');
    // New work is refused locally while the halt lasts.
    await expect(client.guard(priceIntent('BAG-2', 1850), async () => 'never')).rejects.toBeInstanceOf(
      HaltedError,
    );
  });

  it('fails closed with deny/timeout when nothing decides (guardrail not running)', async () => {
    // Another agent: the one above is halted by now.
    const other = await AgentRegistry.of(ingest.parts.dataSource).register({
      id: `${TENANT}-pricing-2`,
      tenantId: TENANT,
      name: 'sdk agent 2',
      role: 'pricing',
      version: '3.1.0',
      region: 'eu',
    });
    await guardrail.close();
    guardrail = undefined as unknown as RunningService;
    const res = await postJson<{ status: string; decision: Record<string, unknown> }>(
      `${ingest.url}/v1/intents?wait=true&timeoutMs=500`,
      { ...priceIntent('BAG-2', 1770), confidence: 0.2 },
      { 'x-api-key': other.apiKey },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'decided',
      decision: {
        verdict: 'deny',
        decidedBy: 'timeout',
        reasons: [expect.objectContaining({ policyId: 'agentops.fail-closed' })],
      },
    });
  });

  it('fails closed when AgentOps cannot be reached', async () => {
    const offline = new AgentOpsClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'aok_0000000000000000_' + 'x'.repeat(43),
      attempts: 2,
      onWarning: () => undefined,
    });
    const execute = jest.fn(async () => 'done');
    const error = await offline.guard(priceIntent('BAG-2', 1800), execute).catch((e) => e);
    expect(error).toBeInstanceOf(IntentDeniedError);
    expect((error as IntentDeniedError).decision).toMatchObject({
      verdict: 'deny',
      decidedBy: 'timeout',
      reasons: [expect.objectContaining({ policyId: 'sdk.fail-closed' })],
    });
    expect(execute).not.toHaveBeenCalled();
  });
});
