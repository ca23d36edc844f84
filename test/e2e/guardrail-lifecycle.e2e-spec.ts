import { IntentDecidedV1 } from '@agentops/contracts';
import { RunningService } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { ActivePolicySets } from '../../services/guardrail/src/policies/active-policy-sets';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { postJson, priceIntent } from '../support/agent-http';
import { FLOOR_POLICY, applyPolicySet } from '../support/policies';
import { bootService, eventually } from '../support/platform';

const TENANT = `lifecycle-${Date.now().toString(36)}`;

const STRICT_SHADOW = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: strict-discount, version: "1" }
spec:
  mode: shadow
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "double(intent.params.price) >= item.price * 0.95"
      message: more than 5% off list price
      effect: deny
`;

type Decided = { intentId: string; decision: IntentDecidedV1 };

/** Policy lifecycle on two running guardrail instances behind one ingest. */
describe('guardrail: policy lifecycle, shadow mode, scopes and verification', () => {
  let ingest: RunningService;
  const guardrails: RunningService[] = [];
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    guardrails.push(await bootService('guardrail'), await bootService('guardrail'));
    ingest = await bootService('ingest');
    await guardrails[0].app.get(CatalogCache).importCatalog([
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
    await guardrails[1].app.get(CatalogCache).refresh();
    const registry = AgentRegistry.of(ingest.parts.dataSource);
    // Several agents, so their intents spread over partitions (and so over both instances).
    for (let i = 0; i < 6; i++) {
      keys[`pricing-${i}`] = (
        await registry.register({
          id: `${TENANT}-pricing-${i}`,
          tenantId: TENANT,
          name: 'p',
          role: 'pricing',
          version: '1',
          region: 'eu',
        })
      ).apiKey;
    }
    keys.limited = (
      await registry.register({
        id: `${TENANT}-service`,
        tenantId: TENANT,
        name: 's',
        role: 'service',
        version: '1',
        region: 'eu',
        scopes: {
          actions: ['service.send_message', 'service.issue_refund'],
          limits: [{ action: 'service.issue_refund', field: 'amount', max: 300 }],
        },
      })
    ).apiKey;
    expect(
      (await applyPolicySet(guardrails[0].url, [{ path: 'price-floor.yaml', content: FLOOR_POLICY }])).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await ingest?.close();
    for (const g of guardrails) await g.close();
  });

  const propose = async (key: string, body: unknown) =>
    (
      await postJson<Decided>(`${ingest.url}/v1/intents?wait=true&timeoutMs=5000`, body, {
        'x-api-key': keys[key],
      })
    ).body;

  it('activates an update on both instances; decisions name the new set and policy versions', async () => {
    const applied = await applyPolicySet(guardrails[1].url, [
      { path: 'price-floor.yaml', content: FLOOR_POLICY.replace('version: "1"', 'version: "2"') },
      { path: 'strict.yaml', content: STRICT_SHADOW },
    ]);
    expect(applied.status).toBe(201);
    const version = applied.body.version;
    await eventually(
      async () => guardrails.every((g) => g.app.get(ActivePolicySets).baseline?.version === version),
      10_000,
      'both instances on the new set',
    );

    const results = await Promise.all(
      Object.keys(keys)
        .filter((k) => k.startsWith('pricing'))
        .map((k) => propose(k, priceIntent('BAG-9', 1950))),
    );
    for (const r of results) {
      expect(r.decision.decisionSource).toBe(`policy-set:${version}`);
      expect(r.decision.reasons.find((x) => x.policyId === 'price-floor')?.policyVersion).toBe('2');
    }
  });

  it('records shadow verdicts without changing the outcome', async () => {
    const r = await propose('pricing-0', priceIntent('BAG-9', 1600)); // above the floor, > 5% off
    expect(r.decision.verdict).toBe('allow');
    expect(r.decision.shadowVerdict).toBe('deny');
    expect(r.decision.reasons[0]).toMatchObject({
      policyId: 'strict-discount',
      mode: 'shadow',
      effect: 'deny',
    });
  });

  it('rejects an invalid set whole, with file, line and column; the active set keeps serving', async () => {
    const before = guardrails[0].app.get(ActivePolicySets).baseline?.version;
    const broken = STRICT_SHADOW.replace('item.price * 0.95', 'item.prise * 0.95');
    const res = await applyPolicySet(guardrails[0].url, [
      { path: 'price-floor.yaml', content: FLOOR_POLICY },
      { path: 'strict.yaml', content: broken },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([
      {
        file: 'strict.yaml',
        line: 9,
        column: 56,
        message: 'spec.validations.0.expression: No such key: prise',
      },
    ]);
    expect(guardrails.map((g) => g.app.get(ActivePolicySets).baseline?.version)).toEqual([before, before]);
    expect((await propose('pricing-1', priceIntent('BAG-9', 1000))).decision.verdict).toBe('deny');
  });

  it('denies an action outside the agent scopes before any policy, naming the missing scope', async () => {
    const refund = (amount: number) => ({
      action: 'service.issue_refund',
      target: { type: 'order', id: 'ord-1' },
      params: { orderId: 'ord-1', amount, currency: 'EUR', reason: 'damaged' },
      confidence: 0.9,
      justification: 'item arrived damaged',
    });
    const tooMuch = await propose('limited', refund(900));
    expect(tooMuch.decision).toMatchObject({ verdict: 'deny', decidedBy: 'permissions' });
    expect(tooMuch.decision.reasons[0].message).toContain('limit:service.issue_refund.amount<=300');
    const outOfScope = await propose('limited', {
      ...refund(10),
      action: 'service.issue_store_credit',
      params: { customerId: 'c1', amount: 10, promotional: false },
    });
    expect(outOfScope.decision.reasons[0].message).toContain('action:service.issue_store_credit');
  });

  it('verifies outcomes against the approval: a different executed price is a violation', async () => {
    const { intentId } = await propose('pricing-2', priceIntent('BAG-9', 1900));
    const report = (price: number) =>
      postJson(
        `${ingest.url}/v1/outcomes`,
        {
          intentId,
          action: 'pricing.set_price',
          status: 'succeeded',
          executedParams: { sku: 'BAG-9', price },
        },
        { 'x-api-key': keys['pricing-2'] },
      );
    expect((await report(1900)).status).toBe(202);
    expect((await report(1200)).status).toBe(202);
    const rows = await eventually(
      async () => {
        const found: { violation: boolean; event: { data: { differences: { field: string }[] } } }[] =
          await guardrails[0].parts.dataSource.query(
            `SELECT violation, event FROM guardrail.verifications WHERE intent_id = $1`,
            [intentId],
          );
        return found.length === 2 ? found : undefined;
      },
      20_000,
      'two verifications',
    );
    expect(rows.map((r) => r.violation).sort()).toEqual([false, true]);
    expect(rows.find((r) => r.violation)!.event.data.differences[0].field).toBe('params.price');
  });
});
