import { EventTypes, IntentProposedV1, Topics, topicName } from '@agentops/contracts';
import { KillSwitchSet } from '@agentops/killswitch-client';
import { createEvent, newEventId } from '@agentops/messaging';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { collectTopic } from '../support/kafka-probe';
import { applyNoConstraintSet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_TOKEN_SIGNER, TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

const TENANT = 'maison-ks';
const OTHER = 'other-ks';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

interface Decision {
  verdict: string;
  decidedBy: string;
  reasons: { policyId: string; message: string }[];
}

const serviceIntent = () => ({
  action: 'service.send_message',
  target: { type: 'customer', id: 'C-1' },
  params: { text: 'your order has shipped' },
  confidence: 0.9,
  justification: 'order status changed',
  dataUsed: [],
});

describe('kill switches: API, fan-out and enforcement on the real stack', () => {
  const svc: {
    audit?: RunningService;
    guardrail?: RunningService;
    killswitch?: RunningService;
    ingest?: RunningService;
  } = {};
  let pricingKey: string;
  let pricingAgent: IntentProposedV1['agent'];
  let serviceKey: string;
  let sre: Record<string, string>;
  let reviewer: Record<string, string>;
  let otherSre: Record<string, string>;

  beforeAll(async () => {
    svc.audit = await bootService('audit');
    svc.guardrail = await bootService('guardrail');
    svc.killswitch = await bootService('killswitch');
    svc.ingest = await bootService('ingest');
    // "Not refused by a switch" is asserted as the policies' allow: pin a set that constrains nothing.
    expect((await applyNoConstraintSet(svc.guardrail.url)).status).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    const suffix = Date.now().toString(36);
    const p = await registry.register({
      id: `pricing-ks-${suffix}`,
      tenantId: TENANT,
      name: 'pricing',
      role: 'pricing',
      version: '3.0.0',
      region: 'eu-west',
    });
    pricingKey = p.apiKey;
    pricingAgent = p.agent;
    serviceKey = (
      await registry.register({
        id: `service-ks-${suffix}`,
        tenantId: TENANT,
        name: 'service',
        role: 'service',
        version: '1.0.0',
        region: 'eu-west',
      })
    ).apiKey;
    const token = async (roles: ('sre' | 'reviewer')[], tenantId = TENANT) => ({
      authorization: `Bearer ${await mintUserToken({ userId: `u-${roles.join('-')}-${tenantId}`, tenantId, roles }, TEST_TOKEN_SIGNER)}`,
    });
    sre = await token(['sre']);
    reviewer = await token(['reviewer']);
    otherSre = await token(['sre'], OTHER);
  });

  afterAll(async () => {
    for (const s of [svc.ingest, svc.killswitch, svc.guardrail, svc.audit]) await s?.close();
  });

  const ks = () => `${svc.killswitch!.url}/v1/killswitches`;
  const propose = (key: string, body: unknown) =>
    postJson<{ intentId: string; decision: Decision }>(
      `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=3000`,
      body,
      { 'x-api-key': key },
    );
  const flip = (headers: Record<string, string>, body: unknown) =>
    postJson<{ id: string; selector: Record<string, string> }>(ks(), body, headers);

  it('refuses bad input: malformed selector 400 naming the field, unknown switch 404, reviewer 403, other tenant 403', async () => {
    const bad = await flip(sre, { selector: { role: 'wizard' }, reason: 'x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('selector.role');
    const extra = await flip(sre, { selector: { team: 'x' }, reason: 'x' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).toContain('selector');

    const unknown = await postJson(`${ks()}/${newEventId()}/release`, { reason: 'x' }, sre);
    expect(unknown.status).toBe(404);

    const denied = await flip(reviewer, { selector: { role: 'pricing' }, reason: 'reviewers cannot flip' });
    expect(denied.status).toBe(403);
    const crossTenant = await flip(otherSre, {
      selector: { tenantId: TENANT, role: 'pricing' },
      reason: 'not my tenant',
    });
    expect(crossTenant.status).toBe(403);
    const none = await postJson(ks(), { selector: {}, reason: 'x' });
    expect(none.status).toBe(401);
  });

  it('a flip halts the cohort at ingest at once, other roles keep working, and the change and the refusal are audited', async () => {
    // The killswitch service learns agents from their intents.
    const before = await propose(pricingKey, priceIntent('SKU-1', 100));
    expect(before.status).toBe(200);
    expect(before.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });

    const flipped = await flip(sre, {
      selector: { role: 'pricing', action: 'pricing.*' },
      reason: 'runaway repricing',
      ticket: 'INC-42',
    });
    expect(flipped.status).toBe(201);
    expect(flipped.body.selector).toEqual({ role: 'pricing', action: 'pricing.*', tenantId: TENANT }); // tenant forced
    const switchId = flipped.body.id;

    const refused = await propose(pricingKey, priceIntent('SKU-2', 90));
    expect(refused.status).toBe(200);
    expect(refused.body.decision).toMatchObject({ verdict: 'deny', decidedBy: 'killswitch' });
    expect(refused.body.decision.reasons[0].message).toContain(switchId);
    expect(refused.body.decision.reasons[0].message).toContain('runaway repricing');

    const other = await propose(serviceKey, serviceIntent());
    expect(other.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });

    const listed = await eventually(
      async () => {
        const res = await getJson<{ switches: { id: string; coveredAgents: number }[] }>(ks(), sre);
        const mine = res.body.switches.find((s) => s.id === switchId);
        return mine && mine.coveredAgents >= 1 ? mine : undefined;
      },
      15_000,
      'covered agent count',
    );
    expect(listed.coveredAgents).toBe(1);
    const otherView = await getJson<{ switches: unknown[] }>(ks(), otherSre);
    expect(otherView.body.switches).toHaveLength(0);

    const audit = (correlationId: string) =>
      getJson<{ records: { type: string }[] }>(
        `${svc.audit!.url}/v1/audit/records?correlationId=${correlationId}`,
        operator,
      ).then((r) => r.body.records);
    await eventually(
      async () => (await audit(switchId)).some((r) => r.type === EventTypes.KillSwitchChanged),
      20_000,
      'audited flip',
    );
    await eventually(
      async () => (await audit(refused.body.intentId)).some((r) => r.type === EventTypes.IntentDecided),
      20_000,
      'audited refusal',
    );

    const released = await postJson<{ state: string; releasedBy: string }>(
      `${ks()}/${switchId}/release`,
      { reason: 'fixed' },
      sre,
    );
    expect(released.status).toBe(200);
    expect(released.body.state).toBe('released');
    await eventually(
      async () => !svc.ingest!.app.get(KillSwitchSet).check(pricingAgent, 'pricing.set_price'),
      5_000,
      'release applied',
    );
    const after = await propose(pricingKey, priceIntent('SKU-3', 95));
    expect(after.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });

    const history = await getJson<{ history: { state: string; actor: string }[] }>(
      `${ks()}/${switchId}/history`,
      sre,
    );
    expect(history.body.history.map((h) => h.state)).toEqual(['released', 'active']);
    await eventually(
      async () => (await audit(switchId)).filter((r) => r.type === EventTypes.KillSwitchChanged).length >= 2,
      20_000,
      'audited release',
    );
  });

  it('guardrail denies an intent already in flight when the switch was flipped', async () => {
    const flipped = await flip(sre, { selector: { agentId: pricingAgent.id }, reason: 'in-flight test' });
    expect(flipped.status).toBe(201);
    await eventually(
      async () => svc.guardrail!.app.get(KillSwitchSet).check(pricingAgent, 'pricing.set_price'),
      5_000,
      'guardrail applied flip',
    );
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    // Straight onto the intents topic, as if ingest had accepted it just before the flip.
    const intentId = newEventId();
    const intent = createEvent(
      EventTypes.IntentProposed,
      { ...priceIntent('SKU-9', 80), intentId, agent: pricingAgent, proposedAt: new Date().toISOString() },
      {
        id: intentId,
        source: 'agentops/ingest',
        tenantid: TENANT,
        agentid: pricingAgent.id,
        correlationid: intentId,
      },
    );
    await svc.ingest!.parts.messaging.publisher.publish(intent, pricingAgent.id);
    const decided = await eventually(
      async () => decisions.messages.find((m) => m.headers['ce_correlationid'] === intentId),
      20_000,
      'guardrail decision',
    );
    expect(JSON.parse(decided.value)).toMatchObject({
      verdict: 'deny',
      decidedBy: 'killswitch',
      decisionSource: `killswitch:${flipped.body.id}`,
    });
    await decisions.stop();
    await postJson(`${ks()}/${flipped.body.id}/release`, { reason: 'done' }, sre);
  });

  it('history stays newest first when the sequence crosses a power of ten (99 → 100)', async () => {
    const db = svc.killswitch!.parts.dataSource;
    const [{ current }] = (await db.query(`SELECT last_value AS current FROM switch_history_seq_seq`)) as {
      current: string;
    }[];
    // The flip gets …99 and the release …100: as text, '…100' would sort before '…99'.
    const next = 10 ** String(Number(current) + 2).length;
    await db.query(`SELECT setval('switch_history_seq_seq', $1)`, [next - 2]);
    const flipped = await flip(sre, { selector: { role: 'shopping' }, reason: 'sequence test' });
    expect(flipped.status).toBe(201);
    expect((await postJson(`${ks()}/${flipped.body.id}/release`, { reason: 'done' }, sre)).status).toBe(200);
    const history = await getJson<{ history: { state: string; seq: string }[] }>(
      `${ks()}/${flipped.body.id}/history`,
      sre,
    );
    expect(history.body.history.map((h) => [h.state, h.seq])).toEqual([
      ['released', String(next)],
      ['active', String(next - 1)],
    ]);
  });

  it('an expiring switch auto-releases', async () => {
    const flipped = await flip(sre, {
      selector: { agentId: pricingAgent.id },
      reason: 'short halt',
      ttlSeconds: 1,
    });
    expect(flipped.status).toBe(201);
    const refused = await propose(pricingKey, priceIntent('SKU-4', 90));
    expect(refused.body.decision.decidedBy).toBe('killswitch');
    await new Promise((r) => setTimeout(r, 1200));
    const allowed = await propose(pricingKey, priceIntent('SKU-4', 90));
    expect(allowed.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });
    const history = await eventually(
      async () => {
        const res = await getJson<{ history: { state: string; actor: string }[] }>(
          `${ks()}/${flipped.body.id}/history`,
          sre,
        );
        return res.body.history.find((h) => h.state === 'released');
      },
      10_000,
      'expiry release',
    );
    expect(history.actor).toBe('system:expiry');
  });

  it('agents on the control stream receive a halt for their cohort', async () => {
    const controller = new AbortController();
    const res = await fetch(`${svc.ingest!.url}/v1/control/stream`, {
      headers: { 'x-api-key': pricingKey },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil('event: hello');
    const flipped = await flip(sre, { selector: { role: 'pricing' }, reason: 'halt the pricing cohort' });
    await readUntil('event: halt');
    expect(text).toContain(flipped.body.id);
    await postJson(`${ks()}/${flipped.body.id}/release`, { reason: 'resume' }, sre);
    await readUntil('event: resume');
    controller.abort();
    const unauth = await fetch(`${svc.ingest!.url}/v1/control/stream`);
    expect(unauth.status).toBe(401);
  });

  it('restarting the killswitch service and a guardrail instance while a switch is active never lets a covered intent through', async () => {
    const flipped = await flip(sre, { selector: { role: 'pricing' }, reason: 'restart drill' });
    const decisions = collectTopic(topicName(Topics.decisions, runPrefix()));
    await decisions.ready;
    const sent: string[] = [];
    const inject = async () => {
      const intentId = newEventId();
      sent.push(intentId);
      await svc.ingest!.parts.messaging.publisher.publish(
        createEvent(
          EventTypes.IntentProposed,
          {
            ...priceIntent('SKU-R', 70),
            intentId,
            agent: pricingAgent,
            proposedAt: new Date().toISOString(),
          },
          {
            id: intentId,
            source: 'agentops/ingest',
            tenantid: TENANT,
            agentid: pricingAgent.id,
            correlationid: intentId,
          },
        ),
        pricingAgent.id,
      );
    };
    await svc.killswitch!.close();
    await svc.guardrail!.close();
    for (let i = 0; i < 5; i++) await inject(); // in flight while guardrail is down
    svc.killswitch = await bootService('killswitch');
    svc.guardrail = await bootService('guardrail');
    // A fresh guardrail is loaded before it consumes anything.
    expect(svc.guardrail.app.get(KillSwitchSet).check(pricingAgent, 'pricing.set_price')?.switchId).toBe(
      flipped.body.id,
    );
    for (let i = 0; i < 5; i++) await inject();
    const refused = await propose(pricingKey, priceIntent('SKU-R', 70));
    expect(refused.body.decision.decidedBy).toBe('killswitch');
    // And a fresh ingest instance too.
    const ingest2 = await bootService('ingest');
    try {
      const ready = await getJson<{ checks: Record<string, { ok: boolean }> }>(`${ingest2.url}/health/ready`);
      expect(ready.body.checks['killswitch-state'].ok).toBe(true);
      const via2 = await postJson<{ decision: Decision }>(
        `${ingest2.url}/v1/intents?wait=true`,
        priceIntent('SKU-R', 70),
        { 'x-api-key': pricingKey },
      );
      expect(via2.body.decision.decidedBy).toBe('killswitch');
    } finally {
      await ingest2.close();
    }
    const all = await eventually(
      async () => {
        const found = sent.map((id) => decisions.messages.find((m) => m.headers['ce_correlationid'] === id));
        return found.every(Boolean) ? found : undefined;
      },
      30_000,
      'decisions of the in-flight intents',
    );
    for (const m of all)
      expect(JSON.parse(m!.value)).toMatchObject({ verdict: 'deny', decidedBy: 'killswitch' });
    await decisions.stop();
    const released = await postJson(`${ks()}/${flipped.body.id}/release`, { reason: 'drill over' }, sre);
    expect(released.status).toBe(200);
  });
});
