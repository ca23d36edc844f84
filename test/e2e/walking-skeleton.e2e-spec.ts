import { EventTypes, IntentProposedV1, Topics, topicName } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { RunningService } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { collectTopic, rewindGroup, topicEnds } from '../support/kafka-probe';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually, ServiceName } from '../support/platform';
import { TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

const TENANT = 'maison-e2e';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

describe('walking skeleton: intent → decision → audit on the real stack', () => {
  const svc: Partial<Record<ServiceName, RunningService>> = {};
  let apiKey: string;
  let agent: IntentProposedV1['agent'];
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
    const registered = await AgentRegistry.of(svc.ingest!.parts.dataSource).register({
      id: `pricing-e2e-${Date.now()}`,
      tenantId: TENANT,
      name: 'e2e pricing agent',
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
    });
    apiKey = registered.apiKey;
    agent = registered.agent;
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
  /**
   * The positive marker for "no duplicate record": a later intent of the same agent. Its intent and
   * its decision travel the same partitions (keyed by agent) as every earlier one, behind them, so
   * once audit holds both, a duplicate of anything earlier would already be there too. It goes
   * straight onto the intents topic, as ingest publishes it: a breaker may have halted the agent
   * by then, and ingest would refuse it without publishing.
   */
  const auditCaughtUp = async () => {
    const intentId = newEventId();
    await svc.ingest!.parts.messaging.publisher.publish(
      createEvent(
        EventTypes.IntentProposed,
        { ...priceIntent('BAG-1', 2000), intentId, agent, proposedAt: new Date().toISOString() },
        {
          id: intentId,
          source: 'agentops/ingest',
          tenantid: TENANT,
          agentid: agent.id,
          correlationid: intentId,
        },
      ),
      agent.id,
    );
    await eventually(
      async () => {
        const types = (await auditStory(intentId)).map((r) => r.type);
        return types.includes(EventTypes.IntentProposed) && types.includes(EventTypes.IntentDecided);
      },
      30_000,
      'the marker intent and its decision audited',
    );
  };

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

    await auditCaughtUp();
    for (const intentId of [allowed.body.intentId as string, denied.body.intentId as string]) {
      const story = await auditStory(intentId);
      expect(story.map((r) => r.type).sort()).toEqual([EventTypes.IntentDecided, EventTypes.IntentProposed]);
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

  it('Idempotency-Key: a retry gets the same intent and decision and publishes nothing; another body under the key is 422', async () => {
    const intents = collectTopic(topicName(Topics.intents, runPrefix()));
    await intents.ready;
    const send = (body: unknown, key: string, query = '?wait=true') =>
      postJson<{ intentId: string; status: string; decision: { verdict: string }; message?: string }>(
        `${svc.ingest!.url}/v1/intents${query}`,
        body,
        { 'x-api-key': apiKey, 'idempotency-key': key },
      );
    const key = `retry-${Date.now().toString(36)}`;
    // A client that gave up and retried while the first request was still in flight.
    const [first, inFlightRetry] = await Promise.all([
      send(priceIntent('BAG-1', 1200), key),
      send(priceIntent('BAG-1', 1200), key),
    ]);
    expect(first.status).toBe(200);
    expect(first.body.decision).toMatchObject({ verdict: 'deny' });
    expect(inFlightRetry.body).toEqual(first.body);
    const later = await send(priceIntent('BAG-1', 1200), key, ''); // not waiting: the stored decision
    expect(later.status).toBe(200);
    expect(later.body).toEqual(first.body);

    const changed = await send(priceIntent('BAG-1', 2100), key);
    expect(changed.status).toBe(422);
    expect(changed.body.message).toContain(`Idempotency-Key "${key}" was already used`);
    expect((await send(priceIntent('BAG-1', 2100), 'k'.repeat(201))).status).toBe(400);
    const fresh = await send(priceIntent('BAG-1', 2100), `${key}-2`);
    expect(fresh.body).toMatchObject({ status: 'decided', decision: { verdict: 'allow' } });
    expect(fresh.body.intentId).not.toBe(first.body.intentId);

    // Published once: a later intent of the agent (same partition) is on the topic behind it.
    await eventually(async () => intents.messages.some((m) => m.headers['ce_id'] === fresh.body.intentId));
    expect(intents.messages.filter((m) => m.headers['ce_id'] === first.body.intentId)).toHaveLength(1);
    await intents.stop();
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

  it('loses no intent while guardrail restarts, and a redelivered intent gets its stored decision again: one audited decision each', async () => {
    const intentsTopic = topicName(Topics.intents, runPrefix());
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    const ids: string[] = [];
    // Prices at or above the floor: a deny-heavy stream would trip the agent-deny-rate breaker.
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await propose(priceIntent('BAG-1', 1900 + i * 20), '');
        expect(res.status).toBe(202);
        ids.push(res.body.intentId as string);
      }
    };
    const decided = (id: string) => decisions.messages.filter((m) => m.headers['ce_correlationid'] === id);
    const start = await topicEnds(intentsTopic);
    await send(10);
    const redelivered = [...ids];
    await eventually(
      async () => redelivered.every((id) => decided(id).length > 0),
      20_000,
      'the first decisions',
    );
    await svc.guardrail!.close();
    // As if it had crashed before committing: the next guardrail gets the first ten again.
    await rewindGroup(`${runPrefix()}guardrail`, intentsTopic, start);
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
    await auditCaughtUp(); // behind every redelivery the restarted guardrail made
    await decisions.caughtUp();
    const auditedDecision = new Map<string, string>();
    for (const id of ids) {
      const audited = (await auditStory(id)).filter((r) => r.type === EventTypes.IntentDecided);
      expect(audited).toHaveLength(1);
      auditedDecision.set(id, audited[0].eventId);
    }
    // The redelivery happened, and was answered with the very same decision event.
    for (const id of redelivered) {
      const copies = decided(id);
      expect(copies.length).toBeGreaterThanOrEqual(2);
      expect(new Set(copies.map((m) => m.headers['ce_id']))).toEqual(new Set([auditedDecision.get(id)]));
    }
    await decisions.stop();
  });
});
