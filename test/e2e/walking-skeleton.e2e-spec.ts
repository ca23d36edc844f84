import { EventTypes, Topics, topicName } from '@agentops/contracts';
import { RunningService } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { collectTopic } from '../support/kafka-probe';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually, ServiceName } from '../support/platform';
import { TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

const TENANT = 'maison-e2e';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe('walking skeleton: intent → decision → audit on the real stack', () => {
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  let apiKey: string;
  let applied: Awaited<ReturnType<typeof applyPolicySet>>;

  beforeAll(async () => {
    for (const name of ['audit', 'guardrail', 'escalation', 'killswitch', 'ingest'] as const)
      svc[name] = await bootService(name);
    await svc.guardrail!.app.get(CatalogCache).importCatalog([
      {
        tenantId: TENANT,
        sku: 'BAG-1',
        price: 2400,
        floorPrice: 1900,
        cost: 800,
        flagship: true,
        brand: 'Maison',
        category: 'bags',
      },
    ]);
    applied = await applyPolicySet(svc.guardrail!.url, [{ path: 'price-floor.yaml', content: FLOOR_POLICY }]);
    expect(applied.status).toBe(201);
    const registered = await new AgentRegistry(svc.ingest!.parts.dataSource).register({
      id: `pricing-e2e-${Date.now()}`,
      tenantId: TENANT,
      name: 'e2e pricing agent',
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
    });
    apiKey = registered.apiKey;
  });

  afterAll(async () => {
    for (const s of Object.values(svc).reverse()) await s?.close();
  });

  const propose = (body: unknown, query = '?wait=true') =>
    postJson(`${svc.ingest!.url}/v1/intents${query}`, body, { 'x-api-key': apiKey });
  const auditStory = async (correlationId: string) =>
    (
      await getJson<{ records: { type: string; eventId: string }[] }>(
        `${svc.audit!.url}/v1/audit/records?correlationId=${correlationId}`,
        operator,
      )
    ).body.records;

  it('allows a price above the floor and denies one below, naming the policy; audit holds one row each', async () => {
    const allowed = await propose(priceIntent('BAG-1', 2100));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({
      status: 'decided',
      decision: { verdict: 'allow', decidedBy: 'policy' },
    });

    const denied = await propose(priceIntent('BAG-1', 1200));
    expect(denied.status).toBe(200);
    const decision = (
      denied.body as {
        decision: {
          verdict: string;
          decisionSource: string;
          reasons: { policyId: string; policyVersion: string; message: string }[];
        };
      }
    ).decision;
    expect(decision.verdict).toBe('deny');
    expect(decision.reasons[0].policyId).toBe('price-floor');
    expect(decision.reasons[0].message).toBe('price 1200 is below the floor 1900 of BAG-1');
    expect(decision.reasons[0].policyVersion).toBe('1');
    expect(decision.decisionSource).toBe(`policy-set:${applied.body.version}`);

    for (const intentId of [allowed.body.intentId as string, denied.body.intentId as string]) {
      const story = await eventually(
        async () => {
          const records = await auditStory(intentId);
          return records.length >= 2 ? records : undefined;
        },
        20_000,
        `audit records of ${intentId}`,
      );
      // Give a duplicate the chance to show up before asserting there is none.
      await new Promise((r) => setTimeout(r, 500));
      const final = await auditStory(intentId);
      expect(final.filter((r) => r.type === EventTypes.IntentProposed)).toHaveLength(1);
      expect(final.filter((r) => r.type === EventTypes.IntentDecided)).toHaveLength(1);
      expect(final).toHaveLength(story.length);
    }
  });

  it('answers 400 naming the failing fields, and 401 without a valid key', async () => {
    const bad = await propose({
      action: 'Set Price',
      target: { type: 'sku' },
      confidence: 7,
      justification: '',
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['action', 'target.id', 'confidence', 'justification']));

    const noKey = await postJson(`${svc.ingest!.url}/v1/intents`, priceIntent('BAG-1', 2000));
    expect(noKey.status).toBe(401);
    const wrongKey = await postJson(`${svc.ingest!.url}/v1/intents`, priceIntent('BAG-1', 2000), {
      'x-api-key': apiKey.slice(0, -4) + 'AAAA',
    });
    expect(wrongKey.status).toBe(401);
  });

  it('dead-letters a malformed message on the intents topic and still decides the next intent', async () => {
    const intents = topicName(Topics.intents, runPrefix());
    const dlq = collectTopic(topicName(Topics.deadLetters, runPrefix()));
    await dlq.ready;
    await svc.ingest!.parts.messaging.publisher.publishRaw(intents, [
      { key: 'poison', value: '{"not": "an intent"', headers: { ce_type: EventTypes.IntentProposed } },
    ]);
    const next = await propose(priceIntent('BAG-1', 2050));
    expect(next.body).toMatchObject({ decision: { verdict: 'allow' } });
    const dead = await eventually(async () =>
      dlq.messages.find((m) => m.key === 'poison' && m.headers['ce_type'] === EventTypes.MessageDeadLettered),
    );
    const body = JSON.parse(dead.value) as { reason: string; error: string; origin: { topic: string } };
    expect(body.reason).toBe('malformed');
    expect(body.origin.topic).toBe(intents);
    await dlq.stop();
  });

  it('fails closed with decidedBy=timeout when no decision arrives in time', async () => {
    await svc.guardrail!.close();
    try {
      const res = await propose(priceIntent('BAG-1', 2000), '?wait=true&timeoutMs=300');
      expect(res.body).toMatchObject({ decision: { verdict: 'deny', decidedBy: 'timeout' } });
    } finally {
      svc.guardrail = await bootService('guardrail');
    }
  });

  it('loses no intent while guardrail restarts: each ends with exactly one audited decision', async () => {
    const ids: string[] = [];
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await propose(priceIntent('BAG-1', 1800 + i * 20), '');
        expect(res.status).toBe(202);
        ids.push(res.body.intentId as string);
      }
    };
    await send(10);
    await svc.guardrail!.close();
    await send(10);
    svc.guardrail = await bootService('guardrail');
    await send(5);

    for (const id of ids) {
      await eventually(
        async () => (await auditStory(id)).some((r) => r.type === EventTypes.IntentDecided),
        30_000,
        `decision of ${id}`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const id of ids) {
      const decisions = (await auditStory(id)).filter((r) => r.type === EventTypes.IntentDecided);
      expect(decisions).toHaveLength(1);
    }
  });
});
