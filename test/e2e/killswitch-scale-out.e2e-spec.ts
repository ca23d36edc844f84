import { Topics, topicName } from '@agentops/contracts';
import { KillSwitchApplied, killSwitchAppliedChannel } from '@agentops/killswitch-client';
import { Redis, createRedis } from '@agentops/persistence';
import { RunningService } from '@agentops/service-runtime';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { groupCaughtUp } from '../support/kafka-probe';
import { applyNoConstraintSet } from '../support/policies';
import { bootService, eventually } from '../support/platform';
import { REDIS_TEST_URL, TEST_OPERATOR_TOKEN, runPrefix } from '../support/test-env';

const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

interface SwitchRow {
  id: string;
  actor: string;
  reason: string;
  selector: Record<string, string>;
}

/**
 * killswitch scaled out: two instances share its consumer groups, and the window of a breaker is
 * fed by whichever instance consumes each signal. A tenant's repricing window (per: tenant, > 9
 * distinct SKUs) is half filled by instance A alone, then B joins (a rebalance in the middle of the
 * window), both consume, A leaves (another rebalance: B owns every partition), and B receives the
 * rest. The breaker trips on the 10th SKU, once — with windows in each instance's memory, B would
 * have seen only its share and never tripped.
 */
describe('killswitch scaled out: breaker windows across instances and rebalances', () => {
  const svc: { guardrail?: RunningService; ingest?: RunningService; a?: RunningService; b?: RunningService } =
    {};
  const tenant = `maison-scale-${Date.now().toString(36)}`;
  const breaker = `scale-out-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'breakers-scale-'));
  const keys: string[] = [];
  const group = `${runPrefix()}killswitch-known-agents`;
  const intents = topicName(Topics.intents, runPrefix());
  const acknowledged: KillSwitchApplied[] = [];
  let listener: Redis | undefined;
  const killswitch = (env: Record<string, string> = {}) =>
    bootService('killswitch', { BREAKERS_DIR: dir, BREAKER_TICK_MS: '200', ...env });

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'scale-out.yaml'),
      [
        `name: ${breaker}`,
        'cohort: { role: pricing }',
        'per: tenant',
        'metric: distinct_skus_repriced',
        'window: 10m',
        'threshold: 9',
        'trip: { selector: { action: "pricing.*" }, reason: repricing spread over instances }',
        'coolDown: 10m',
        'halfOpen: { probation: 5m, thresholdFactor: 0.5 }',
      ].join('\n'),
    );
    // Every enforcement point says when it applied a change: the trip's switch is confirmed by each.
    listener = createRedis(REDIS_TEST_URL, 'scale-out-acks');
    listener.on('message', (_c: string, raw: string) =>
      acknowledged.push(JSON.parse(raw) as KillSwitchApplied),
    );
    await listener.subscribe(
      killSwitchAppliedChannel({
        REDIS_KEY_PREFIX: `agentops-test:${runPrefix()}`,
        KAFKA_TOPIC_PREFIX: runPrefix(),
      }),
    );
    svc.guardrail = await bootService('guardrail');
    expect((await applyNoConstraintSet(svc.guardrail.url)).status).toBe(201);
    svc.ingest = await bootService('ingest');
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    // Several agents of the tenant: their intents spread over the topic's partitions.
    for (let i = 0; i < 4; i++)
      keys.push(
        (
          await registry.register({
            id: `${tenant}-pricing-${i}`,
            tenantId: tenant,
            name: `pricing ${i}`,
            role: 'pricing',
            version: '1',
            region: 'eu',
          })
        ).apiKey,
      );
    svc.a = await killswitch();
    await groupCaughtUp(group, [intents]); // behind what earlier suites of the run produced
  });

  afterAll(async () => {
    for (const s of [svc.ingest, svc.a, svc.b, svc.guardrail]) await s?.close();
    listener?.disconnect();
  });

  let sku = 0;
  /** `n` intents repricing new SKUs, round-robin over the tenant's agents; waits until killswitch consumed them. */
  const reprice = async (n: number) => {
    for (let i = 0; i < n; i++, sku++) {
      const res = await postJson(`${svc.ingest!.url}/v1/intents`, priceIntent(`SPREAD-${sku}`, 10), {
        'x-api-key': keys[sku % keys.length],
      });
      expect([200, 202]).toContain(res.status); // 200: refused at once by a kill switch
    }
    await groupCaughtUp(group, [intents]);
  };
  const trips = async () =>
    (
      await getJson<{ switches: SwitchRow[] }>(`${(svc.b ?? svc.a)!.url}/v1/killswitches`, operator)
    ).body.switches.filter((s) => s.actor === `breaker:${breaker}` && s.selector.tenantId === tenant);

  it('trips once on the 10th distinct SKU, though A saw the first half and B the rest', async () => {
    await reprice(4); // A alone
    svc.b = await killswitch(); // B joins: the partitions are split between A and B
    await reprice(3);
    await svc.a!.close(); // A leaves: B owns every partition, windows included
    svc.a = undefined;
    await reprice(2); // 9 distinct SKUs: at the threshold, not above it
    expect(await trips()).toEqual([]);

    await reprice(1);
    const [trip] = await eventually(
      async () => ((await trips()).length ? trips() : undefined),
      20_000,
      'trip',
    );
    expect(trip.reason).toContain(
      'repricing spread over instances: distinct_skus_repriced 10 > 9 within 600s',
    );
    expect(trip.selector).toEqual({ action: 'pricing.*', tenantId: tenant });

    const refused = await eventually(
      async () => {
        const res = await postJson<{ decision?: { decidedBy: string } }>(
          `${svc.ingest!.url}/v1/intents?wait=true&timeoutMs=3000`,
          priceIntent('SPREAD-after', 10),
          { 'x-api-key': keys[0] },
        );
        return res.body.decision?.decidedBy === 'killswitch' ? res.body.decision : undefined;
      },
      20_000,
      'refusal',
    );
    expect(refused).toMatchObject({ verdict: 'deny' });
    const confirmed = await eventually(
      async () => {
        const by = acknowledged.filter((a) => a.switchId === trip.id && a.kind === 'activated');
        return by.length >= 2 ? by : undefined;
      },
      5_000,
      'acknowledgements',
    );
    expect(confirmed.map((a) => a.instance.split('-')[0]).sort()).toEqual(['guardrail', 'ingest']);

    // Further repricing, refused or consumed while the cohort is open, trips nothing more.
    await reprice(3);
    expect(await trips()).toHaveLength(1);
    const stored = (await svc.b!.parts.dataSource.query(
      `SELECT state, trips, switch_id AS "switchId" FROM killswitch.breaker_states WHERE breaker = $1`,
      [breaker],
    )) as { state: string; trips: number; switchId: string }[];
    expect(stored).toEqual([{ state: 'open', trips: 1, switchId: trip.id }]);
  });
});
