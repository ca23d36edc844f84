import { AgentIdentity, EventEnvelope, EventTypes, IntentProposedV1 } from '@agentops/contracts';
import { KillSwitchSet } from '@agentops/killswitch-client';
import { createEvent, newEventId } from '@agentops/messaging';
import { CompiledPolicySet, RetailFacts, compilePolicySet } from '@agentops/policy';
import { ServiceMetrics } from '@agentops/service-runtime';
import {
  AccessStep,
  encodeFlowHistory,
  encodeFlowStep,
  flowHistoryKey,
  reportedStepsKey,
} from '@agentops/access-anomaly';
import {
  AccessHistoryReader,
  EgressFlowGate,
  FlowEvidenceKeys,
  StoredFlowEvidence,
} from '../access/egress-flow-gate';
import { KillSwitchGate } from '../killswitch/kill-switch-gate';
import {
  FakeClock,
  InMemoryDecisionRepository,
  InMemoryRollingCounterStore,
  RecordingPublisher,
  catalogOf,
} from '../testing/guardrail-doubles';
import { IntentEvaluation } from './intent-evaluation';
import { PolicyEvaluationTimer } from './policy-evaluation-timer';

const TENANT = 'maison';
const pricer: AgentIdentity = {
  id: 'pricing-1',
  tenantId: TENANT,
  role: 'pricing',
  version: '1.0.0',
  region: 'eu-west',
  scopes: { actions: ['pricing.*', 'service.*'] },
} as AgentIdentity;

/** Two counter limits, crossed by the streams below: cuts of one SKU, and a refund budget. */
const POLICIES = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: test.cuts, version: "1" }
spec:
  match: { actions: ["pricing.set_price"] }
  variables:
    - name: cuts
      expression: "has(counters.skuPriceCuts1h) ? counters.skuPriceCuts1h : 0.0"
  validations:
    - expression: "variables.cuts < 2.0"
      messageExpression: "'already cut ' + string(int(variables.cuts)) + ' times'"
      effect: deny
---
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: test.distinct, version: "1" }
spec:
  match: { actions: ["pricing.set_price"] }
  variables:
    - name: skus
      expression: "has(counters.agentDistinctSkus10m) ? counters.agentDistinctSkus10m : 0.0"
  validations:
    - expression: "variables.skus < 3.0"
      message: too many distinct SKUs
      effect: escalate
---
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: test.refunds, version: "1" }
spec:
  match: { actions: ["service.issue_refund"] }
  variables:
    - name: sofar
      expression: "has(counters.agentRefundValue24h) ? counters.agentRefundValue24h : 0.0"
  validations:
    - expression: "variables.sofar + double(intent.params.amount) <= 1000.0"
      message: over budget
      effect: deny
`;

function compiled(): CompiledPolicySet {
  const result = compilePolicySet([{ path: 'test.yaml', content: POLICIES }]);
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.set;
}

const catalog = catalogOf(
  TENANT,
  ['A', 'B', 'C', 'D'].map((sku) => ({
    sku,
    price: 100,
    floorPrice: 10,
    cost: 5,
    flagship: false,
    brand: 'b',
    category: 'c',
  })),
);

/** No rollout covers these intents: the variant gate lets every one through. */
const noRollouts = { check: () => null };

const KEYS = { REDIS_KEY_PREFIX: 't:', KAFKA_TOPIC_PREFIX: '' };

/**
 * The access histories as the access service would have written them and the steps ingest logged
 * as they were reported, counting the reads of them.
 */
class StoredHistories extends AccessHistoryReader {
  readonly values = new Map<string, string>();
  readonly reported = new Map<string, string[]>();
  reads = 0;
  put(agentId: string, steps: AccessStep[]): void {
    this.values.set(flowHistoryKey(KEYS, TENANT, agentId), encodeFlowHistory(steps));
  }
  /** A step ingest logged that the access service has not consumed yet. */
  report(agentId: string, step: AccessStep): void {
    const key = reportedStepsKey(KEYS, TENANT, agentId);
    this.reported.set(key, [...(this.reported.get(key) ?? []), encodeFlowStep(step)]);
  }
  async read(agents: readonly FlowEvidenceKeys[]): Promise<StoredFlowEvidence[]> {
    this.reads++;
    return agents.map((k) => ({
      history: this.values.get(k.history) ?? null,
      reported: this.reported.get(k.reported) ?? [],
    }));
  }
}

function flowGate(histories: StoredHistories): EgressFlowGate {
  return new EgressFlowGate(histories, {
    ...KEYS,
    ACCESS_ALLOWED_DESTINATIONS: { [TENANT]: ['mail.maison.example'] },
  });
}

function setup() {
  const clock = new FakeClock();
  const decisions = new InMemoryDecisionRepository();
  const counters = new InMemoryRollingCounterStore();
  const publisher = new RecordingPublisher();
  const switches = new KillSwitchSet();
  switches.markLoaded();
  const set = compiled();
  const metrics = new ServiceMetrics('guardrail');
  const histories = new StoredHistories();
  const evaluation = new IntentEvaluation(
    catalog,
    { forTenant: () => ({}) as RetailFacts },
    counters,
    { layersFor: () => ({ baseline: set }) },
    decisions,
    publisher,
    new KillSwitchGate(switches),
    noRollouts,
    flowGate(histories),
    clock,
    { DECISION_TTL_MS: 60_000 },
    'agentops/guardrail',
    new PolicyEvaluationTimer(metrics),
  );
  return { clock, decisions, counters, publisher, switches, evaluation, metrics, histories };
}

function intent(action: string, params: Record<string, unknown>, over: Partial<IntentProposedV1> = {}) {
  const id = newEventId();
  return createEvent(
    EventTypes.IntentProposed,
    {
      intentId: id,
      agent: pricer,
      action,
      target: { type: 'sku', id: String(params['sku'] ?? 'none') },
      params,
      confidence: 0.9,
      justification: 'test',
      dataUsed: [],
      proposedAt: '2026-03-02T09:00:00.000Z',
      ...over,
    },
    { id, source: 'agentops/ingest', tenantid: TENANT, agentid: pricer.id, correlationid: id },
  ) as EventEnvelope<IntentProposedV1>;
}
const cut = (sku: string, price = 90) => intent('pricing.set_price', { sku, price });
const refund = (amount: number) => intent('service.issue_refund', { amount, orderId: 'o-1' });

const verdicts = (ds: { data: { verdict: string } }[]) => ds.map((d) => d.data.verdict);

describe('IntentEvaluation.evaluateBatch', () => {
  it('gives a batch the verdicts of one-at-a-time evaluation when counter limits are crossed inside it', async () => {
    const stream = () => [
      cut('A'),
      cut('A'),
      cut('A'),
      cut('B'),
      cut('C'),
      cut('D'),
      refund(600),
      refund(300),
      refund(200),
    ];
    const batched = setup();
    const inOne = await batched.evaluation.evaluateBatch(stream());
    const single = setup();
    const oneByOne = [];
    for (const i of stream()) oneByOne.push(...(await single.evaluation.evaluateBatch([i])));

    // A: two cuts, the third denied (not counted); B and C allowed, D escalated (3 distinct SKUs);
    // refunds: 600 and 300 fit in 1000, 200 more does not.
    expect(verdicts(inOne)).toEqual([
      'allow',
      'allow',
      'deny',
      'allow',
      'allow',
      'escalate',
      'allow',
      'allow',
      'deny',
    ]);
    expect(verdicts(oneByOne)).toEqual(verdicts(inOne));
    expect(inOne.map((d) => d.data.reasons.map((r) => r.message))).toEqual(
      oneByOne.map((d) => d.data.reasons.map((r) => r.message)),
    );
  });

  it('pays its I/O once per batch: one decisions read, one counter snapshot, one insert, one publish, one counter write', async () => {
    const { evaluation, decisions, counters, publisher } = setup();
    await evaluation.evaluateBatch([cut('A'), cut('B'), refund(10), cut('C')]);
    expect(decisions.roundTrips).toBe(2);
    expect(counters.snapshots).toBe(1);
    expect(counters.records).toBe(1);
    expect(publisher.sends).toHaveLength(1);
    expect(publisher.sends[0]).toHaveLength(4);
  });

  it('publishes in the order of the partition, keyed by agent', async () => {
    const { evaluation, publisher } = setup();
    const batch = [cut('A'), refund(10), cut('B')];
    await evaluation.evaluateBatch(batch);
    expect(publisher.published.map((p) => (p.event.data as { intentId: string }).intentId)).toEqual(
      batch.map((i) => i.data.intentId),
    );
    expect(new Set(publisher.published.map((p) => p.key))).toEqual(new Set([pricer.id]));
  });

  it('decides an intent delivered twice in one batch once: one stored decision, published once, counted once', async () => {
    const { evaluation, decisions, publisher, counters } = setup();
    const a = cut('A');
    const result = await evaluation.evaluateBatch([a, a, cut('A')]);
    expect(result[0].id).toBe(result[1].id);
    expect(decisions.rows.size).toBe(2);
    expect(publisher.published).toHaveLength(2);
    // Two cuts of A counted, not three: a third cut is denied.
    expect(verdicts(await evaluation.evaluateBatch([cut('A')]))).toEqual(['deny']);
    const cuts = [...counters.sets].find(([k]) => k.includes('skuPriceCuts1h'))![1];
    expect(cuts.size).toBe(2);
  });

  it('republishes the stored decision (same event id) for an intent redelivered in a later batch, without judging or counting it again', async () => {
    const { evaluation, publisher, counters, switches } = setup();
    const a = cut('A');
    const [first] = await evaluation.evaluateBatch([a]);
    // Whatever changed since (a kill switch now covers the agent), the stored decision stands.
    switches.apply({
      switchId: '0190a0a0-0000-7000-8000-000000000001',
      selector: { tenantId: TENANT },
      state: 'active',
      actor: 'sre:alice',
      reason: 'halt',
      changedAt: '2026-03-02T09:00:00.000Z',
    });
    const before = JSON.stringify([...counters.sets]);
    const [again, later] = await evaluation.evaluateBatch([a, cut('B')]);
    expect(again.id).toBe(first.id);
    expect(again.data.verdict).toBe('allow');
    expect(later.data).toMatchObject({ verdict: 'deny', decidedBy: 'killswitch' });
    expect(publisher.published.filter((p) => p.event.id === first.id)).toHaveLength(2);
    expect(JSON.stringify([...counters.sets])).toBe(before);
  });

  it('keeps its stored decisions when the publish fails, and the retried batch republishes them, counted once', async () => {
    const { evaluation, publisher, decisions, counters } = setup();
    const batch = [cut('A'), cut('A')];
    publisher.failNext = true;
    await expect(evaluation.evaluateBatch(batch)).rejects.toThrow('not acknowledged');
    expect(decisions.rows.size).toBe(2);
    const retried = await evaluation.evaluateBatch(batch);
    expect(retried.map((d) => d.id)).toEqual(batch.map((i) => decisions.rows.get(i.data.intentId)!.event.id));
    const cuts = [...counters.sets].find(([k]) => k.includes('skuPriceCuts1h'))![1];
    expect(cuts.size).toBe(2);
  });

  it('denies an intent past its deadline without evaluating it, in the same batch as an allowed one', async () => {
    const { evaluation, clock } = setup();
    clock.advance(60_000);
    const late = cut('A');
    late.data.decisionDeadline = '2026-03-02T09:00:30.000Z';
    const [expired, fine] = await evaluation.evaluateBatch([late, cut('B')]);
    expect(expired.data.decidedBy).toBe('timeout');
    expect(fine.data.verdict).toBe('allow');
  });

  it('times each policy evaluation by verdict (agentops_policy_evaluation_seconds), and not intents a kill switch refuses first', async () => {
    const { evaluation, switches, metrics } = setup();
    await evaluation.evaluateBatch([cut('A'), cut('A'), cut('A'), refund(10)]);
    switches.apply({
      switchId: '0190a0a0-0000-7000-8000-000000000002',
      selector: { tenantId: TENANT },
      state: 'active',
      actor: 'sre:alice',
      reason: 'halt',
      changedAt: '2026-03-02T09:00:00.000Z',
    });
    await evaluation.evaluateBatch([cut('B')]);
    const counts = Object.fromEntries(
      (await metrics.registry.getSingleMetric('agentops_policy_evaluation_seconds')!.get()).values
        .filter(
          (v) => (v as { metricName?: string }).metricName === 'agentops_policy_evaluation_seconds_count',
        )
        .map((v) => [v.labels['verdict'], v.value]),
    );
    expect(counts).toEqual({ allow: 3, deny: 1 });
  });

  it('throws (the consumer retries) while the kill-switch state is not loaded, and stores nothing', async () => {
    const s = setup();
    const unloaded = new IntentEvaluation(
      catalog,
      { forTenant: () => ({}) as RetailFacts },
      s.counters,
      { layersFor: () => ({ baseline: compiled() }) },
      s.decisions,
      s.publisher,
      new KillSwitchGate(new KillSwitchSet()),
      noRollouts,
      flowGate(new StoredHistories()),
      s.clock,
      { DECISION_TTL_MS: 60_000 },
      'agentops/guardrail',
      new PolicyEvaluationTimer(new ServiceMetrics('guardrail')),
    );
    await expect(unloaded.evaluateBatch([cut('A')])).rejects.toThrow(/not loaded/);
    expect(s.decisions.rows.size).toBe(0);
    expect(s.publisher.published).toHaveLength(0);
  });

  it('counts only within the rolling window: cuts older than an hour no longer count', async () => {
    const { evaluation, clock } = setup();
    await evaluation.evaluateBatch([cut('A'), cut('A')]);
    expect(verdicts(await evaluation.evaluateBatch([cut('A')]))).toEqual(['deny']);
    clock.advance(60 * 60_000 + 1);
    expect(verdicts(await evaluation.evaluateBatch([cut('A'), cut('A'), cut('A')]))).toEqual([
      'allow',
      'allow',
      'deny',
    ]);
  });
});

describe('IntentEvaluation: the egress flow gate', () => {
  const piiRead = (at: number): AccessStep => ({
    kind: 'read',
    at,
    source: 'crm.customers',
    dataClasses: ['customer.pii'],
    records: 12,
    destination: '',
    action: '',
  });
  const customerRead = (at: number): AccessStep => ({ ...piiRead(at), dataClasses: ['customer.orders'] });
  const send = (destination: string) =>
    intent(
      'service.send_message',
      { destination, message: 'the list' },
      { target: { type: 'customer', id: 'c-1' } },
    );

  it('denies an egress to an unlisted destination after a PII read, naming the rule; allows a listed one', async () => {
    const { evaluation, clock, histories } = setup();
    histories.put(pricer.id, [piiRead(clock.now().getTime() - 5 * 60_000)]);
    const [toxic, benign] = await evaluation.evaluateBatch([
      send('paste.evil.example'),
      send('mail.maison.example'),
    ]);
    expect(toxic.data).toMatchObject({ verdict: 'deny', decidedBy: 'policy', decisionSource: 'access-flow' });
    expect(toxic.data.reasons[0]).toMatchObject({ policyId: 'agentops.access-flow', effect: 'deny' });
    expect(toxic.data.reasons[0].message).toMatch(
      /^flow_rule:pii-read-then-unlisted-egress: egress to paste\.evil\.example denied/,
    );
    expect(benign.data.verdict).not.toBe('deny');
    // One read of the histories for the whole batch.
    expect(histories.reads).toBe(1);
  });

  it("denies an egress right after a read the access service has not consumed yet (ingest's logged step), once per step", async () => {
    const { evaluation, clock, histories } = setup();
    const at = clock.now().getTime() - 1000;
    histories.report(pricer.id, piiRead(at)); // the access service has stored no history yet
    const [toxic] = await evaluation.evaluateBatch([send('paste.evil.example')]);
    expect(toxic.data.reasons[0].message).toMatch(/^flow_rule:pii-read-then-unlisted-egress/);
  });

  it('counts a read held by both the history and the log once (20 customer reads, not 40)', async () => {
    const { evaluation, clock, histories } = setup();
    const t0 = clock.now().getTime() - 10 * 60_000;
    const reads = Array.from({ length: 10 }, (_, i) => customerRead(t0 + i * 1000));
    histories.put(pricer.id, reads);
    for (const r of reads) histories.report(pricer.id, r);
    expect(verdicts(await evaluation.evaluateBatch([send('paste.evil.example')]))).not.toContain('deny');
    for (let i = 10; i < 20; i++) histories.report(pricer.id, customerRead(t0 + i * 1000));
    const [d] = await evaluation.evaluateBatch([send('paste.evil.example')]);
    expect(d.data.reasons[0].message).toMatch(/^flow_rule:bulk-customer-read-then-unlisted-egress/);
  });

  it('lets the egress through once the read is older than the rule window, and reads nothing for a batch without egress', async () => {
    const { evaluation, clock, histories } = setup();
    histories.put(pricer.id, [piiRead(clock.now().getTime() - 31 * 60_000)]);
    expect(verdicts(await evaluation.evaluateBatch([send('paste.evil.example')]))).not.toContain('deny');
    await evaluation.evaluateBatch([cut('A')]);
    expect(histories.reads).toBe(1);
  });

  it('denies an egress whose history is unreadable rather than letting it through blind', async () => {
    const { evaluation, histories } = setup();
    histories.values.set(flowHistoryKey(KEYS, TENANT, pricer.id), '{"v":9}');
    const [d] = await evaluation.evaluateBatch([send('mail.maison.example')]);
    expect(d.data.reasons[0].message).toMatch(/^flow_rule:history-unreadable/);
  });
});

describe('IntentEvaluation.preview', () => {
  it('judges with the stored counters and stores, publishes and counts nothing', async () => {
    const { evaluation, decisions, publisher, counters } = setup();
    await evaluation.evaluateBatch([cut('A'), cut('A')]);
    const before = JSON.stringify([...counters.sets]);
    const body = await evaluation.preview(cut('A').data);
    expect(body.verdict).toBe('deny');
    expect(decisions.rows.size).toBe(2);
    expect(publisher.published).toHaveLength(2);
    expect(JSON.stringify([...counters.sets])).toBe(before);
  });
  it('previews a bare proposal (no id, no time) as the intent it would become: the same verdict, nothing stored', async () => {
    const { evaluation, decisions, publisher } = setup();
    await evaluation.evaluateBatch([cut('A'), cut('A')]);
    const { intentId: _id, proposedAt: _at, agent, ...proposal } = cut('A').data;
    const body = await evaluation.previewProposal(agent, proposal);
    expect(body).toEqual(await evaluation.preview(cut('A').data));
    expect(body.verdict).toBe('deny');
    expect(decisions.rows.size).toBe(2);
    expect(publisher.published).toHaveLength(2);
  });
});
