import { IntentDecidedV1, IntentProposal } from '@agentops/contracts';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';
import { getJson, postJson } from '../support/agent-http';
import { launchChromium, pageProblems, signIn } from '../support/browser';
import { knowledgeAt } from '../support/knowledge';
import { bootWiredPlatform, closeWiredPlatform, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN, TEST_TOKEN_SIGNER } from '../support/test-env';

const PACK = 'policies/retail';
const SUFFIX = Date.now().toString(36);
const TENANT = `kb-console-${SUFFIX}`;
const PASSWORD = 'console knowledge passphrase';
const FIXTURE = readFileSync(`${PACK}/fixtures/knowledge.yaml`, 'utf8');
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/**
 * Issue #16 item 5 in real headless Chromium against the wired platform: an auditor opens the
 * Knowledge page and sees the tenant's versions, the diff between two of them, and the claim a
 * shopper got wrong with the policy that denied it (from the claim verdicts in the audit).
 */
describe('console in the browser: the Knowledge page', () => {
  let svc: Record<
    'audit' | 'guardrail' | 'escalation' | 'killswitch' | 'ingest' | 'console' | 'rollout',
    RunningService
  >;
  let browser: Browser;
  let deniedIntent: string;

  beforeAll(async () => {
    svc = await bootWiredPlatform();
    expect((await applyPolicySet(svc.guardrail.url, loadPolicySources(PACK))).status).toBe(201);
    await svc.guardrail.app.get(CatalogCache).importCatalog(
      [...loadFixtures(PACK).catalog.values()].map(({ found: _f, ...i }) => ({ ...i, tenantId: TENANT })),
      'test',
    );
    const admin = {
      authorization: `Bearer ${await mintUserToken({ userId: `kb-admin@${TENANT}`, tenantId: TENANT, roles: ['policy-admin'] }, TEST_TOKEN_SIGNER)}`,
    };
    const first = knowledgeAt(FIXTURE);
    expect(
      (
        await postJson(
          `${svc.guardrail.url}/v1/knowledge/${TENANT}/imports`,
          { format: 'json', content: first },
          admin,
        )
      ).status,
    ).toBe(201);
    const doc = JSON.parse(first) as { products: { sku: string; price: { amount: number } }[] };
    doc.products.find((p) => p.sku === 'MD-BAG-001')!.price.amount = 1900;
    const second = await postJson<{ kbVersion: number }>(
      `${svc.guardrail.url}/v1/knowledge/${TENANT}/imports`,
      { format: 'json', content: JSON.stringify(doc) },
      admin,
    );
    expect(second.body.kbVersion).toBe(2);
    await eventually(
      async () => svc.guardrail.app.get(ActiveKnowledge).current(TENANT)?.kbVersion === 2,
      10_000,
      'guardrail on kb v2',
    );

    const { apiKey } = await AgentRegistry.of(svc.ingest.parts.dataSource).register({
      id: `shopper-${SUFFIX}`,
      tenantId: TENANT,
      name: 'personal shopper',
      role: 'shopping',
      version: '1',
      region: 'eu',
    });
    const wrongMaterial: IntentProposal = {
      action: 'shopping.recommend',
      target: { type: 'sku', id: 'MD-BAG-001' },
      params: {
        customerId: 'CUST-7',
        sku: 'MD-BAG-001',
        brand: 'Maison Demo',
        message: 'The Aurore Tote is 100 % cashmere.',
      },
      confidence: 0.9,
      justification: 'customer asked for a soft structured tote',
      dataUsed: [{ source: 'knowledge', kbVersion: 2, dataClasses: ['product'] }],
    };
    const res = await postJson<{ decision: IntentDecidedV1 }>(
      `${svc.ingest.url}/v1/intents?wait=true&timeoutMs=8000`,
      wrongMaterial,
      { 'x-api-key': apiKey },
    );
    expect(res.body.decision.verdict).toBe('deny');
    deniedIntent = res.body.decision.intentId;
    // The audit has the decision (with its claim verdicts) before the page is opened.
    await eventually(
      async () => {
        const r = await getJson<{ records: unknown[] }>(
          `${svc.audit.url}/v1/audit/records?tenantId=${TENANT}&claimVerdict=CONTRADICTED`,
          operator,
        );
        return r.body.records?.length === 1;
      },
      20_000,
      'the contradicted claim in the audit',
    );
    expect(
      (
        await postJson(
          `${svc.console.url}/v1/users`,
          { id: `auditor-${SUFFIX}`, tenantId: TENANT, roles: ['auditor'], groups: [], password: PASSWORD },
          operator,
        )
      ).status,
    ).toBe(201);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeWiredPlatform(svc);
  });

  it('shows the versions, the diff between the two, and the contradicted claim with the policy that denied it', async () => {
    const { context, page } = await signIn(browser, svc.console.url, `auditor-${SUFFIX}`, PASSWORD);
    await page.getByTestId('nav-knowledge').click();
    await page.getByTestId('page-knowledge').waitFor();
    await page.locator('[data-testid="kb-version-row"][data-kb-version="2"]').waitFor();
    expect(await page.getByTestId('kb-version-row').count()).toBe(2);
    expect(await page.getByTestId('kb-current-version').innerText()).toBe('v2');

    // The diff opens on v1 → v2: the one price change.
    const changed = page.locator('[data-testid="kb-diff-row"][data-record="MD-BAG-001"]');
    await changed.waitFor();
    expect(await changed.innerText()).toContain('price: EUR 2400 → EUR 1900');
    expect(await page.getByTestId('kb-diff-row').count()).toBe(1);
    // Choosing the same version on both sides shows there is nothing between them.
    await page.getByLabel('From version').selectOption('2');
    await page.getByText('No changes between v2 and v2.').waitFor();
    await page.getByLabel('From version').selectOption('1');
    await changed.waitFor();

    const row = page.locator(`[data-testid="contradiction-row"][data-intent-id="${deniedIntent}"]`);
    await row.waitFor({ timeout: 20_000 });
    const text = await row.innerText();
    expect(text).toContain('material');
    expect(text).toContain('product/MD-BAG-001 materials');
    expect(text).toContain('calfskin');
    expect(text).toContain('retail.knowledge.contradicted-facts');
    expect(
      await page
        .locator('[data-testid="kb-policy-count"][data-policy-id="retail.knowledge.contradicted-facts"]')
        .innerText(),
    ).toContain('1 claim');
    await context.close();
  });

  it('no page threw an uncaught error or was refused by the Content-Security-Policy', () => {
    expect(pageProblems).toEqual([]);
  });
});
