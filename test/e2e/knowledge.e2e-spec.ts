import { IntentDecidedV1, IntentProposal } from '@agentops/contracts';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { readFileSync } from 'node:fs';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { DecisionBoard } from '../../services/ingest/src/decisions/decision-board';
import { loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';
import { getJson, postJson } from '../support/agent-http';
import { knowledgeAt } from '../support/knowledge';
import { bootService, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_TOKEN_SIGNER } from '../support/test-env';

const PACK = 'policies/retail';
const RUN = Date.now().toString(36);
const T = `kb-${RUN}`;
const FIXTURE = readFileSync(`${PACK}/fixtures/knowledge.yaml`, 'utf8');

type Decided = { status: string; decision: IntentDecidedV1 };

const recommend = (message: string, kbVersion?: number): IntentProposal => ({
  action: 'shopping.recommend',
  target: { type: 'sku', id: 'MD-BAG-001' },
  params: { customerId: 'CUST-7', sku: 'MD-BAG-001', brand: 'Maison Demo', message },
  confidence: 0.9,
  justification: 'customer asked for a structured tote',
  dataUsed: kbVersion ? [{ source: 'knowledge', kbVersion, dataClasses: ['product'] }] : [],
});

/**
 * Issue #16 on the real stack: a tenant's knowledge imported over HTTP into one guardrail reaches
 * the other guardrail and ingest through the compacted topic; customer messages are judged
 * against the version in force by the shipped retail pack; bad imports change nothing.
 */
describe('approved knowledge: imported, distributed, and grounding every customer message', () => {
  const guardrails: RunningService[] = [];
  let ingest: RunningService;
  let key: string;
  let admin: Record<string, string>;

  const importKb = (content: string, extra: Record<string, unknown> = {}) =>
    postJson<Record<string, unknown>>(
      `${guardrails[0].url}/v1/knowledge/${T}/imports`,
      { format: 'json', content, ...extra },
      admin,
    );
  const propose = async (intent: IntentProposal) => {
    const res = await postJson<Decided>(`${ingest.url}/v1/intents?wait=true&timeoutMs=8000`, intent, {
      'x-api-key': key,
    });
    expect(res.status).toBe(200);
    return res.body.decision;
  };
  const messages = (d: IntentDecidedV1) =>
    d.reasons.filter((r) => r.effect !== 'allow').map((r) => r.message);

  beforeAll(async () => {
    guardrails.push(await bootService('guardrail'), await bootService('guardrail'));
    ingest = await bootService('ingest');
    const applied = await applyPolicySet(guardrails[0].url, loadPolicySources(PACK));
    expect(applied.status).toBe(201);
    const items = [...loadFixtures(PACK).catalog.values()].map(({ found: _f, ...i }) => ({
      ...i,
      tenantId: T,
    }));
    await guardrails[0].app.get(CatalogCache).importCatalog(items, 'test');
    await guardrails[1].app.get(CatalogCache).refresh();
    const registered = await AgentRegistry.of(ingest.parts.dataSource).register({
      id: `${T}-shopper`,
      tenantId: T,
      name: 'personal shopper',
      role: 'shopping',
      version: '1',
      region: 'eu',
    });
    key = registered.apiKey;
    const token = await mintUserToken(
      { userId: `kb-admin@${T}`, tenantId: T, roles: ['policy-admin'] },
      TEST_TOKEN_SIGNER,
    );
    admin = { authorization: `Bearer ${token}` };
    const first = await importKb(knowledgeAt(FIXTURE));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kbVersion: 1, changed: true, products: 6 });
    await eventually(
      async () =>
        guardrails.every((g) => g.app.get(ActiveKnowledge).current(T)?.kbVersion === 1) &&
        ingest.app.get(ActiveKnowledge).current(T)?.kbVersion === 1,
      10_000,
      'every instance on kb v1',
    );
  });

  afterAll(async () => {
    await ingest?.close();
    for (const g of guardrails) await g.close();
  });

  it('denies a customer message that contradicts an approved fact, stating the correct fact', async () => {
    const decision = await propose(recommend('The Aurore Tote is yours for €1,900.'));
    expect(decision.verdict).toBe('deny');
    expect(messages(decision).join(' | ')).toContain(
      'MD-BAG-001 costs EUR 2,400 [product/MD-BAG-001 price @ kb v1]',
    );
  });

  it('allows the same message once a new import makes it true, on every instance', async () => {
    const doc = JSON.parse(knowledgeAt(FIXTURE)) as {
      products: { sku: string; price: { amount: number } }[];
    };
    doc.products.find((p) => p.sku === 'MD-BAG-001')!.price.amount = 1900;
    const second = await importKb(JSON.stringify(doc));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ kbVersion: 2, changed: true });
    // Behaviour, not a stopwatch: poll until the decisions (either guardrail, by partition) use v2.
    const allowed = await eventually(
      async () => {
        const d = await propose(recommend('The Aurore Tote is yours for €1,900.'));
        return d.verdict === 'allow' ? d : undefined;
      },
      10_000,
      'a decision on kb v2',
    );
    expect(allowed.verdict).toBe('allow');
    expect(guardrails[1].app.get(ActiveKnowledge).current(T)?.kbVersion).toBe(2);
    const facts = await getJson<{ kbVersion: number; product: { price: { amount: number } } }>(
      `${ingest.url}/v1/knowledge/products/MD-BAG-001`,
      { 'x-api-key': key },
    );
    expect(facts.status).toBe(200);
    expect(facts.body).toMatchObject({ kbVersion: 2, product: { price: { amount: 1900 } } });
  });

  it('escalates an intent that cites a superseded knowledge version', async () => {
    const res = await postJson<{ status: string; decision?: IntentDecidedV1; intentId: string }>(
      `${ingest.url}/v1/intents?wait=true&timeoutMs=8000`,
      recommend('A structured tote for your commute.', 1),
      { 'x-api-key': key, prefer: 'respond-async' },
    );
    expect(res.status).toBe(202);
    // The board holds guardrail's decision beside the pending review the agent is told about.
    const decided = await eventually(
      async () => (await ingest.app.get(DecisionBoard).find(res.body.intentId))?.decision,
      10_000,
      'the decision on the board',
    );
    expect(decided.verdict).toBe('escalate');
    expect(messages(decided)).toContain('intent cites knowledge v1; the current version is v2');
  });

  it('refuses a malformed import with 400 naming row and field, and applies nothing', async () => {
    const doc = JSON.parse(knowledgeAt(FIXTURE)) as { products: Record<string, unknown>[] };
    doc.products[2] = { ...doc.products[2], price: { amount: -1, currency: 'EUR' } };
    const res = await importKb(JSON.stringify(doc));
    expect(res.status).toBe(400);
    expect(String(res.body.message)).toContain('products row 3 (sku MD-SCARF-014), field price.amount');
    const versions = await getJson<{ versions: { kbVersion: number }[] }>(
      `${guardrails[0].url}/v1/knowledge/${T}/versions`,
      admin,
    );
    expect(versions.body.versions.map((v) => v.kbVersion)).toEqual([2, 1]);
  });

  it('needs force to remove more than a fifth of the products', async () => {
    const doc = JSON.parse(knowledgeAt(FIXTURE)) as { products: unknown[] };
    const cut = JSON.stringify({ ...doc, products: doc.products.slice(0, 3) });
    const refused = await importKb(cut);
    expect(refused.status).toBe(422);
    expect(String(refused.body.message)).toContain('removes 3 of 6 products');
    const forced = await importKb(cut, { force: true });
    expect(forced.status).toBe(201);
    expect(forced.body).toMatchObject({ kbVersion: 3 });
  });

  it('diffs two versions by SKU and field', async () => {
    const res = await getJson<{ diff: { products: { changed: { id: string }[]; removed: string[] } } }>(
      `${guardrails[0].url}/v1/knowledge/${T}/versions/1/diff/2`,
      admin,
    );
    expect(res.status).toBe(200);
    expect(res.body.diff.products.changed.map((c) => c.id)).toEqual(['MD-BAG-001']);
  });

  it('a re-import of unchanged facts read later keeps the version and moves freshness on every instance', async () => {
    const base = guardrails[0].app.get(ActiveKnowledge).current(T)!.compiled.version.document; // v3
    const readAt = (d: Date) => JSON.stringify({ ...base, asOf: d.toISOString() });
    const stockAsOf = async () =>
      (
        await getJson<{ kbVersion: number; freshness: { stock: { asOf: string } } }>(
          `${ingest.url}/v1/knowledge/products/MD-BAG-001`,
          { 'x-api-key': key },
        )
      ).body;
    const before = await stockAsOf();
    const later = new Date(Date.parse(before.freshness.stock.asOf) + 30_000);
    const res = await importKb(readAt(later));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kbVersion: 3, changed: false, readTimesRefreshed: true });
    await eventually(
      async () =>
        guardrails.every(
          (g) =>
            g.app.get(ActiveKnowledge).current(T)?.compiled.version.document.asOf === later.toISOString(),
        ),
      10_000,
      'every guardrail on the newer read time',
    );
    const after = await eventually(
      async () => {
        const f = await stockAsOf();
        return f.freshness.stock.asOf === later.toISOString() ? f : undefined;
      },
      10_000,
      'ingest serving the newer read time',
    );
    expect(after.kbVersion).toBe(3);
    const versions = await getJson<{ versions: { kbVersion: number }[] }>(
      `${guardrails[0].url}/v1/knowledge/${T}/versions`,
      admin,
    );
    expect(versions.body.versions.map((v) => v.kbVersion)).toEqual([3, 2, 1]);
  });

  it('answers another tenant’s policy admin 403 and an agent only its own tenant’s knowledge', async () => {
    const other = await mintUserToken(
      { userId: 'kb-admin@other', tenantId: `other-${RUN}`, roles: ['policy-admin'] },
      TEST_TOKEN_SIGNER,
    );
    const res = await getJson(`${guardrails[0].url}/v1/knowledge/${T}/versions`, {
      authorization: `Bearer ${other}`,
    });
    expect(res.status).toBe(403);
    const summary = await getJson<{ tenantId: string; kbVersion: number }>(`${ingest.url}/v1/knowledge`, {
      'x-api-key': key,
    });
    expect(summary.body).toMatchObject({ tenantId: T, kbVersion: 3 });
  });
});
