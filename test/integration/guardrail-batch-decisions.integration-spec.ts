import {
  AgentIdentity,
  EventEnvelope,
  EventTypes,
  IntentProposedV1,
  Topics,
  topicName,
} from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId, silentLogger } from '@agentops/messaging';
import { RunningService } from '@agentops/service-runtime';
import type { Redis } from 'ioredis';
import { GuardrailConfig } from '../../services/guardrail/src/config';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { RetailFactsCache } from '../../services/guardrail/src/context/retail-facts';
import { counterKey } from '../../services/guardrail/src/counters/rolling-counter-store';
import { IntentEvaluation } from '../../services/guardrail/src/decisions/intent-evaluation';
import { loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';
import { principalKafka } from '../support/kafka-access';
import { collectTopic, groupCaughtUp, rewindGroup, topicEnds } from '../support/kafka-probe';
import { bootService, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { runPrefix } from '../support/test-env';

const PACK = 'policies/retail';

/**
 * The guardrail deciding in batches (issue #14.2) on the real Kafka, PostgreSQL and Redis: the
 * verdicts of agents whose intents land in one batch equal those of one-at-a-time evaluation
 * (INTENT_BATCH_SIZE=1) on streams that cross the retail pack's counter limits; order per agent;
 * exactly one decision per intent when an intent comes twice in a batch, again in a later batch,
 * and again after a restart with rewound offsets.
 */
describe('guardrail decides in batches', () => {
  const run = Date.now().toString(36);
  const tenants = { oneByOne: `batch-1-${run}`, batched: `batch-n-${run}`, redelivery: `batch-r-${run}` };
  const suite = loadFixtures(PACK);
  const group = `${runPrefix()}guardrail`;
  const intentsTopic = topicName(Topics.intents, runPrefix());
  let guardrail: RunningService | undefined;
  let publisher: EventPublisher;
  const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));

  beforeAll(async () => {
    await decisions.ready;
    // Intents come from ingest's principal, the only one the broker lets write them.
    publisher = new EventPublisher(principalKafka('ingest', runPrefix()), runPrefix(), silentLogger);
    await publisher.connect();
    guardrail = await bootService('guardrail', { INTENT_BATCH_SIZE: '1' });
    expect((await applyPolicySet(guardrail.url, loadPolicySources(PACK))).status).toBe(201);
    const items = [...suite.catalog.values()].map(({ found: _found, ...item }) => item);
    await guardrail.app
      .get(CatalogCache)
      .importCatalog(Object.values(tenants).flatMap((tenantId) => items.map((i) => ({ ...i, tenantId }))));
    for (const tenantId of Object.values(tenants))
      await guardrail.app.get(RetailFactsCache).importFacts(tenantId, suite.retail, 'test');
    await groupCaughtUp(group, [intentsTopic]); // behind what earlier suites of the run produced
  });

  afterAll(async () => {
    await guardrail?.close();
    await publisher?.disconnect();
    await decisions.stop();
  });

  const agentOf = (tenantId: string, role: 'pricing' | 'service'): AgentIdentity => ({
    id: `${role}-${tenantId}`,
    tenantId,
    role,
    version: '1.0.0',
    region: 'eu-west',
    labels: {},
    scopes: { actions: ['*'] },
  });

  const intentOf = (agent: AgentIdentity, action: string, params: Record<string, unknown>) => {
    const intentId = newEventId();
    return createEvent(
      EventTypes.IntentProposed,
      {
        intentId,
        agent,
        action,
        target: params['sku']
          ? { type: 'sku', id: String(params['sku']) }
          : { type: 'order', id: String(params['orderId']) },
        params,
        confidence: 0.9,
        justification: 'a batch test of the decision path',
        dataUsed: [],
        proposedAt: new Date().toISOString(),
      },
      {
        id: intentId,
        source: 'agentops/ingest',
        tenantid: agent.tenantId,
        agentid: agent.id,
        correlationid: intentId,
      },
    ) as EventEnvelope<IntentProposedV1>;
  };

  /**
   * Per tenant, two agents' streams that cross counter limits part-way: repeated small cuts of
   * three SKUs (the third cut of a SKU in an hour is escalated, so no longer counted) and 25
   * refunds of 450 against the 10,000 daily budget (the 23rd is denied).
   */
  const streams = (tenantId: string) => {
    const pricing = agentOf(tenantId, 'pricing');
    const service = agentOf(tenantId, 'service');
    const cuts = [
      ['MD-SCARF-014', 450],
      ['MD-BELT-033', 380],
      ['MD-BAG-017', 1200],
    ] as const;
    return {
      pricing: Array.from({ length: 12 }, (_, i) => {
        const [sku, price] = cuts[i % cuts.length];
        return intentOf(pricing, 'pricing.set_price', { sku, price: price - 5 - i, currency: 'EUR' });
      }),
      service: Array.from({ length: 25 }, (_, i) =>
        intentOf(service, 'service.issue_refund', {
          orderId: `ORD-${run}-${i}`,
          amount: 450,
          currency: 'EUR',
          reason: 'damaged',
        }),
      ),
    };
  };

  const decided = (intentId: string) =>
    decisions.messages.filter(
      (m) => m.headers['ce_type'] === EventTypes.IntentDecided && m.headers['ce_correlationid'] === intentId,
    );
  const verdictsOf = (stream: EventEnvelope<IntentProposedV1>[]) =>
    stream.map((i) => (JSON.parse(decided(i.data.intentId)[0].value) as { verdict: string }).verdict);
  const reasonsOf = (stream: EventEnvelope<IntentProposedV1>[]) =>
    stream.flatMap((i) =>
      (
        JSON.parse(decided(i.data.intentId)[0].value) as { reasons: { policyId: string; effect: string }[] }
      ).reasons
        .filter((r) => r.effect !== 'allow')
        .map((r) => r.policyId),
    );
  const allDecided = (stream: EventEnvelope<IntentProposedV1>[], what: string) =>
    eventually(async () => stream.every((i) => decided(i.data.intentId).length > 0), 60_000, what);
  const send = (stream: EventEnvelope<IntentProposedV1>[]) =>
    publisher.publishMany(stream.map((event) => ({ event, key: event.data.agent.id })));

  it('gives agents whose intents land in one batch the verdicts of one-at-a-time evaluation, in order', async () => {
    const single = streams(tenants.oneByOne);
    for (const intent of [...single.pricing, ...single.service]) await send([intent]);
    await allDecided([...single.pricing, ...single.service], 'the one-at-a-time decisions');
    const expected = { pricing: verdictsOf(single.pricing), service: verdictsOf(single.service) };
    // The streams cross the limits: the verdicts change part-way, for counter reasons.
    expect(expected.service.slice(0, 22)).toEqual(Array(22).fill('allow'));
    expect(expected.service.slice(22)).toEqual(['deny', 'deny', 'deny']);
    expect(reasonsOf(single.service)).toContain('retail.service.refund-daily-budget');
    expect(new Set(expected.pricing)).toEqual(new Set(['allow', 'escalate']));
    expect(reasonsOf(single.pricing)).toContain('retail.pricing.race-to-the-bottom');

    await guardrail!.close();
    guardrail = await bootService('guardrail'); // the default batch size
    const chunks: string[][] = [];
    const evaluation = guardrail.app.get(IntentEvaluation);
    const original = evaluation.evaluateBatch.bind(evaluation);
    jest.spyOn(evaluation, 'evaluateBatch').mockImplementation(async (intents) => {
      chunks.push(intents.map((i) => i.data.intentId));
      return original(intents);
    });
    const batched = streams(tenants.batched);
    // One produce request per agent: one record batch, so one fetch, so one chunk per agent.
    await Promise.all([send(batched.pricing), send(batched.service)]);
    await allDecided([...batched.pricing, ...batched.service], 'the batched decisions');
    for (const stream of [batched.pricing, batched.service]) {
      const ids = stream.map((i) => i.data.intentId);
      expect(chunks.some((c) => ids.every((id) => c.includes(id)))).toBe(true);
    }
    expect({ pricing: verdictsOf(batched.pricing), service: verdictsOf(batched.service) }).toEqual(expected);

    // Order per agent: each agent's decisions are on the topic in the order of its intents.
    for (const stream of [batched.pricing, batched.service]) {
      const ids = new Set(stream.map((i) => i.data.intentId));
      const onTopic = decisions.messages
        .map((m) => m.headers['ce_correlationid'])
        .filter((id) => ids.has(id));
      expect(onTopic).toEqual(stream.map((i) => i.data.intentId));
    }
  });

  it('stores and publishes one decision per intent when it comes twice in a batch, in a later batch and after a restart, and counts it once', async () => {
    const agent = agentOf(tenants.redelivery, 'service');
    const refund = (i: number) =>
      intentOf(agent, 'service.issue_refund', {
        orderId: `R-${run}-${i}`,
        amount: 100,
        currency: 'EUR',
        reason: 'damaged',
      });
    const [x, y, z] = [refund(1), refund(2), refund(3)];
    const start = await topicEnds(intentsTopic);
    await send([x, y, x]); // x twice in one batch
    await allDecided([x, y], 'the first decisions');
    await send([x, z]); // x again, in a later batch
    await allDecided([z], 'the later batch');
    await eventually(async () => decided(x.data.intentId).length >= 2, 20_000, 'x republished');

    await guardrail!.close();
    // As if it had crashed before committing: the next instance receives all of it again.
    await rewindGroup(group, intentsTopic, start);
    guardrail = await bootService('guardrail');
    await groupCaughtUp(group, [intentsTopic]);
    await decisions.caughtUp();

    const stored = (await guardrail.parts.dataSource.query(
      `SELECT intent_id, event_id FROM decisions WHERE intent_id = ANY($1::uuid[])`,
      [[x, y, z].map((i) => i.data.intentId)],
    )) as { intent_id: string; event_id: string }[];
    expect(stored).toHaveLength(3);
    for (const intent of [x, y, z]) {
      const copies = decided(intent.data.intentId);
      const row = stored.find((r) => r.intent_id === intent.data.intentId)!;
      // Every copy on the topic is the stored decision event: one decision, published again.
      expect(new Set(copies.map((m) => m.headers['ce_id']))).toEqual(new Set([row.event_id]));
    }
    // x: once for the batch it came twice in, once for the later batch, once after the restart.
    expect(decided(x.data.intentId).length).toBeGreaterThanOrEqual(3);
    expect(decided(y.data.intentId).length).toBeGreaterThanOrEqual(2);

    // Counted once each: three refunds of 100 in the agent's daily sum, not six or more.
    const config = guardrail.parts.config as GuardrailConfig;
    const key = counterKey(config, agent.tenantId, 'agentRefundValue24h', `agent:${agent.id}`);
    expect(await (guardrail.parts.redis as Redis).zcard(key)).toBe(3);
  });
});
