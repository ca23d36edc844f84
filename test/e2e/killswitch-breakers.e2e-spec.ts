import { EventTypes } from '@agentops/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService } from '@agentops/service-runtime';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { BreakerEngine } from '../../services/killswitch/src/breakers/breaker-engine';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { applyNoConstraintSet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

interface Decision {
  verdict: string;
  decidedBy: string;
  reasons: { policyId: string; message: string }[];
}

/**
 * The seed scenario: a pricing agent reprices many SKUs; the blast-radius breaker
 * (policies/breakers/pricing-blast-radius.yaml: > 20 distinct SKUs in 60 s per tenant) trips inside
 * its window, further repricing is refused while other roles keep working, the trip is audited, and
 * the breaker's state survives a restart of the killswitch service.
 */
describe('circuit breakers: the runaway pricing agent', () => {
  const svc: {
    audit?: RunningService;
    guardrail?: RunningService;
    killswitch?: RunningService;
    ingest?: RunningService;
  } = {};
  const tenant = `maison-breaker-${Date.now().toString(36)}`;
  let pricingKey: string;
  let serviceKey: string;

  beforeAll(async () => {
    svc.audit = await bootService('audit');
    svc.guardrail = await bootService('guardrail');
    svc.killswitch = await bootService('killswitch');
    svc.ingest = await bootService('ingest');
    // Verdicts below are the policies' allow: no constraint of another suite's set may deny first.
    expect((await applyNoConstraintSet(svc.guardrail.url)).status).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    pricingKey = (
      await registry.register({
        id: `${tenant}-pricing`,
        tenantId: tenant,
        name: 'pricing',
        role: 'pricing',
        version: '1',
        region: 'eu',
      })
    ).apiKey;
    serviceKey = (
      await registry.register({
        id: `${tenant}-service`,
        tenantId: tenant,
        name: 'service',
        role: 'service',
        version: '1',
        region: 'eu',
      })
    ).apiKey;
  });

  afterAll(async () => {
    for (const s of [svc.ingest, svc.killswitch, svc.guardrail, svc.audit]) await s?.close();
  });

  const propose = (key: string, body: unknown, query = '?wait=true&timeoutMs=3000') =>
    postJson<{ intentId: string; decision?: Decision }>(`${svc.ingest!.url}/v1/intents${query}`, body, {
      'x-api-key': key,
    });

  it('trips on too many distinct SKUs, refuses further repricing, spares other roles, and is audited', async () => {
    for (let i = 0; i < 25; i++) {
      const res = await propose(pricingKey, priceIntent(`RUNAWAY-${i}`, 10), '');
      expect([200, 202]).toContain(res.status);
    }
    const refused = await eventually(
      async () => {
        const res = await propose(pricingKey, priceIntent('RUNAWAY-next', 10));
        return res.body.decision?.decidedBy === 'killswitch' ? res.body.decision : undefined;
      },
      30_000,
      'breaker trip',
    );
    expect(refused.verdict).toBe('deny');
    expect(refused.reasons[0].message).toContain('breaker:pricing-blast-radius');

    const other = await propose(serviceKey, {
      action: 'service.send_message',
      target: { type: 'customer', id: 'C-7' },
      params: { text: 'hello' },
      confidence: 0.9,
      justification: 'customer asked',
      dataUsed: [],
    });
    expect(other.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });

    const switches = await getJson<{
      switches: { id: string; actor: string; reason: string; selector: Record<string, string> }[];
    }>(`${svc.killswitch!.url}/v1/killswitches`, operator);
    const trip = switches.body.switches.find(
      (s) => s.actor === 'breaker:pricing-blast-radius' && s.selector.tenantId === tenant,
    );
    expect(trip).toBeDefined();
    expect(trip!.selector).toEqual({ role: 'pricing', action: 'pricing.*', tenantId: tenant });
    // The window's semantics: it tripped on the 21st distinct SKU inside its 60 s, not later.
    const why = 'too many SKUs repriced: distinct_skus_repriced 21 > 20 within 60s';
    expect(trip!.reason).toContain(why);
    const audited = await eventually(
      async () => {
        const records = (
          await getJson<{ records: Record<string, unknown>[] }>(
            `${svc.audit!.url}/v1/audit/records?correlationId=${trip!.id}`,
            operator,
          )
        ).body.records;
        return records.find((r) => r.type === EventTypes.KillSwitchChanged);
      },
      20_000,
      'audited trip',
    );
    expect(audited).toMatchObject({
      tenantId: tenant,
      correlationId: trip!.id,
      actorKind: 'breaker',
      actorId: 'breaker:pricing-blast-radius',
      payload: {
        switchId: trip!.id,
        state: 'active',
        actor: 'breaker:pricing-blast-radius',
        selector: { role: 'pricing', action: 'pricing.*', tenantId: tenant },
        reason: expect.stringContaining(why),
      },
    });

    // The engine names the switch once its flip call returns, which on a loaded machine can be after
    // audit has already recorded the flip it published.
    const opened = await eventually(
      async () =>
        svc
          .killswitch!.app.get(BreakerEngine)
          .states()
          .find((s) => s.breaker === 'pricing-blast-radius' && s.cohort === tenant && s.switchId),
      10_000,
      'breaker state naming its switch',
    );
    expect(opened).toMatchObject({ state: 'open', switchId: trip!.id });

    // Breaker state survives a restart of the killswitch service.
    await svc.killswitch!.close();
    svc.killswitch = await bootService('killswitch');
    const restored = svc.killswitch.app
      .get(BreakerEngine)
      .states()
      .find((s) => s.breaker === 'pricing-blast-radius' && s.cohort === tenant);
    expect(restored).toMatchObject({ state: 'open', switchId: trip!.id });
    const still = await propose(pricingKey, priceIntent('RUNAWAY-after-restart', 10));
    expect(still.body.decision?.decidedBy).toBe('killswitch');
  });

  it('goes half-open after the cool-down (a share of intents let through), then closes after a clean probation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'breakers-'));
    writeFileSync(
      join(dir, 'probe.yaml'),
      [
        'name: probe-blast',
        'cohort: { role: pricing }',
        'per: agent',
        'metric: distinct_skus_repriced',
        'window: 30s',
        'threshold: 3',
        'trip: { selector: { action: "pricing.*" } }',
        'coolDown: 1s',
        'halfOpen: { probation: 6s, share: 0.5, thresholdFactor: 0.5 }',
      ].join('\n'),
    );
    await svc.killswitch!.close();
    svc.killswitch = await bootService('killswitch', { BREAKERS_DIR: dir, BREAKER_TICK_MS: '100' });
    const engine = svc.killswitch.app.get(BreakerEngine);
    const t2 = `${tenant}-probe`;
    const agentId = `${t2}-pricing`;
    const key = (
      await AgentRegistry.of(svc.ingest!.parts.dataSource).register({
        id: agentId,
        tenantId: t2,
        name: 'p',
        role: 'pricing',
        version: '1',
        region: 'eu',
      })
    ).apiKey;
    const state = () =>
      engine.states().find((s) => s.breaker === 'probe-blast' && s.cohort === `${t2}/${agentId}`);

    for (let i = 0; i < 5; i++) await propose(key, priceIntent(`PROBE-${i}`, 10), '');
    await eventually(async () => state()?.state === 'open', 20_000, 'probe breaker open');
    await eventually(async () => state()?.state === 'half_open', 10_000, 'probe breaker half-open');

    // Half-open: about half of the cohort's intents pass (one SKU, so the window stays under 1.5).
    // Without waiting: a refusal is answered at once (200, killswitch), a pass is accepted (202).
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await propose(key, priceIntent('PROBE-0', 10), '');
      if (res.status === 200) expect(res.body.decision?.decidedBy).toBe('killswitch');
      statuses.push(res.status);
    }
    expect(state()?.state).toBe('half_open');
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);

    await eventually(async () => state()?.state === 'closed', 20_000, 'probe breaker closed');
    const after = await propose(key, priceIntent('PROBE-0', 10));
    expect(after.body.decision).toMatchObject({ verdict: 'allow', decidedBy: 'policy' });
    const { rows } = {
      rows: (await svc.killswitch.parts.dataSource.query(
        // This agent's cohort: the first test's pricing agents may reach the probe breaker too.
        `SELECT state FROM killswitch.breaker_states WHERE breaker = 'probe-blast' AND cohort_key = $1`,
        [`${t2}/${agentId}`],
      )) as { state: string }[],
    };
    expect(rows.map((r) => r.state)).toEqual(['closed']);
  });
});
