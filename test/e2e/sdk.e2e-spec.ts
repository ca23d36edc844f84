import { Topics, topicName } from '@agentops/contracts';
import { AgentOpsClient, HaltedError, IntentDeniedError } from '@agentops/sdk';
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
    // Its consumer group resumes where an earlier suite's escalation stopped: let it catch up first.
    await groupCaughtUp(
      `${runPrefix()}escalation`,
      [Topics.intents, Topics.decisions].map((t) => topicName(t, runPrefix())),
    );
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
    ({ apiKey } = await new AgentRegistry(ingest.parts.dataSource).register({
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

  it('escalate waits for the human decision and resumes', async () => {
    // The agent's proposal, watched: ingest holds it (an escalation is not an answer) until the human decides.
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
    const guarded = watched.guard({ ...priceIntent('BAG-2', 1700), confidence: 0.3 }, execute);
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
    expect(heldProposals).toBe(1);
    expect(execute).not.toHaveBeenCalled();

    const approved = await postJson(`${escalation.url}/v1/escalations/${task.id}/approve`, {}, reviewer);
    expect(approved.status).toBe(200);
    await expect(guarded).resolves.toEqual({ by: 'human', reviewers: ['ana'] });
    expect(execute).toHaveBeenCalledTimes(1);
    watched.close();
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
