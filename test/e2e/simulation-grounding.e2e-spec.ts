import { DecisionGrounding } from '@agentops/contracts';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { AgentOpsClient } from '@agentops/sdk';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { loadPolicySources } from '../../tools/policy/fixtures';
import { ShopState, personalShopper } from '../../tools/simulation/agents';
import { generateCatalog, generateCustomers } from '../../tools/simulation/catalog';
import { GroundingTally } from '../../tools/simulation/grounding-tally';
import { groundingSummary, importKnowledge, simulationKnowledge } from '../../tools/simulation/knowledge';
import { Random } from '../../tools/simulation/random';
import { groundingLines } from '../../tools/simulation/report-grounding';
import { Tally } from '../../tools/simulation/tally';
import { getJson } from '../support/agent-http';
import { bootService, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

const RUN = Date.now().toString(36);
const T = `sim-kb-${RUN}`;
const AGENT = `shopper-${RUN}`;
const SEED = 7;
const PITCHES = 40;

type Decided = { payload: { grounding?: DecisionGrounding; verdict: string } };

/**
 * Issue #16 item 6 on the real stack: the simulation's personal shopper writes pitches from
 * `productFacts()` and invents a material, price, scarcity or delivery promise now and then; the
 * shipped retail pack checks every claim against the tenant's knowledge, the decisions carry the
 * verdicts into the audit, and the report's grounding section counts what was caught. Every
 * number asserted comes from the run, none is written down in advance.
 */
describe('simulation: the hallucinating personal shopper is caught by grounding', () => {
  let guardrail: RunningService;
  let ingest: RunningService;
  let audit: RunningService;
  let client: AgentOpsClient;
  let auditor: string;
  const grounding = new GroundingTally();
  const tally = new Tally();
  let knowledge: { kbVersion: number; products: number };

  const auditRecords = async (query: string) => {
    const res = await getJson<{ records: Decided[] }>(`${audit.url}/v1/audit/records?${query}&limit=1000`, {
      authorization: `Bearer ${auditor}`,
    });
    expect(res.status).toBe(200);
    return res.body.records;
  };

  beforeAll(async () => {
    audit = await bootService('audit');
    guardrail = await bootService('guardrail');
    ingest = await bootService('ingest');
    expect((await applyPolicySet(guardrail.url, loadPolicySources('policies/retail'))).status).toBe(201);
    const catalog = generateCatalog(SEED);
    await guardrail.app.get(CatalogCache).importCatalog(
      catalog.map((s) => ({ ...s, tenantId: T })),
      'test',
    );
    const admin = await mintUserToken(
      { userId: `kb-admin@${T}`, tenantId: T, roles: ['policy-admin'] },
      TEST_TOKEN_SIGNER,
    );
    auditor = await mintUserToken(
      { userId: `auditor@${T}`, tenantId: T, roles: ['auditor'] },
      TEST_TOKEN_SIGNER,
    );
    knowledge = await importKnowledge(
      { guardrail: guardrail.url },
      admin,
      T,
      simulationKnowledge(SEED, catalog, new Date()),
    );
    await eventually(
      async () => ingest.app.get(ActiveKnowledge).current(T)?.kbVersion === knowledge.kbVersion,
      10_000,
      'ingest serving the imported knowledge',
    );
    const { apiKey } = await AgentRegistry.of(ingest.parts.dataSource).register({
      id: AGENT,
      tenantId: T,
      name: 'personal shopper',
      role: 'shopping',
      version: '2.3.0',
      region: 'eu-west',
    });
    client = new AgentOpsClient({
      baseUrl: ingest.url,
      apiKey,
      maxWaitMs: 10_000,
      onWarning: () => undefined,
    });

    const shop: ShopState = {
      catalog,
      customers: generateCustomers(SEED),
      prices: new Map(catalog.map((s) => [s.sku, s.price])),
      purchaseOrders: 0,
      messagesSent: 0,
    };
    const shopper = personalShopper(client, shop, tally, grounding);
    const rnd = new Random(Number.parseInt(RUN.slice(-4), 36));
    for (let i = 0; i < PITCHES; i++) await shopper.act(rnd);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await ingest?.close();
    await guardrail?.close();
    await audit?.close();
  });

  it('pitched from approved facts and invented some claims, every invented claim caught', () => {
    expect(grounding.pitches).toBe(PITCHES);
    const { invented, caught, letThrough } = grounding.invented;
    expect(invented).toBeGreaterThan(0);
    expect(invented).toBeLessThan(PITCHES);
    expect({ caught, letThrough }).toEqual({ caught: invented, letThrough: 0 });
    expect(grounding.caughtBy).toEqual({ 'retail.knowledge.contradicted-facts': invented });
    // The pitches written from the facts went out: no false alarm on a correct claim.
    expect(grounding.heldBackCorrect).toBe(0);
  });

  it('records the claim verdicts in the audit, and claimVerdict=CONTRADICTED finds exactly the caught pitches', async () => {
    const decided = await eventually(
      async () => {
        const r = await auditRecords(`agentId=${AGENT}&type=agentops.intent.decided.v1`);
        return r.length === PITCHES ? r : undefined;
      },
      20_000,
      'every decision in the audit',
    );
    expect(decided.every((r) => (r.payload.grounding?.claims.length ?? 0) > 0)).toBe(true);
    const contradicted = await auditRecords(`agentId=${AGENT}&claimVerdict=CONTRADICTED`);
    expect(contradicted).toHaveLength(grounding.invented.caught);
    for (const r of contradicted) {
      expect(r.payload.verdict).toBe('deny');
      const claim = r.payload.grounding!.claims.find((c) => c.verdict === 'CONTRADICTED')!;
      expect(claim.record).toMatch(/^(product\/|policy\/)/);
      expect(claim.kbVersion).toBe(knowledge.kbVersion);
      expect(claim.policies.map((p) => p.policyId)).toContain('retail.knowledge.contradicted-facts');
    }
    // Tenant-scoped like every audit read: another tenant's auditor sees none of them.
    const stranger = await mintUserToken(
      { userId: 'auditor@elsewhere', tenantId: `other-${RUN}`, roles: ['auditor'] },
      TEST_TOKEN_SIGNER,
    );
    const foreign = await getJson<{ records: unknown[] }>(
      `${audit.url}/v1/audit/records?agentId=${AGENT}&claimVerdict=CONTRADICTED`,
      { authorization: `Bearer ${stranger}` },
    );
    expect(foreign.body.records).toEqual([]);
  });

  it('the report section counts the checked claims per kind and what caught them, from the run', async () => {
    const section = await groundingSummary({ audit: audit.url }, auditor, grounding, knowledge, AGENT);
    const perKind = Object.values(section.byKind);
    expect(perKind.reduce((s, k) => s + k.invented, 0)).toBe(grounding.invented.invented);
    expect(section.checked.decisions).toBe(PITCHES);
    expect(section.checked.byVerdict.CONTRADICTED).toBe(grounding.invented.invented);
    expect(section.checked.firedBy['retail.knowledge.contradicted-facts']).toBe(grounding.invented.invented);
    const text = groundingLines(section).join('\n');
    expect(text).toContain(
      `${PITCHES} pitches, ${grounding.invented.invented} with an invented claim: ${grounding.invented.caught} caught, 0 let through`,
    );
  });
});
