import { servedArm } from '@agentops/rollout-analysis';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson, priceIntent } from '../support/agent-http';
import { launchChromium, pageProblems, signIn } from '../support/browser';
import { bootWiredPlatform, closeWiredPlatform, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN, TEST_TOKEN_SIGNER } from '../support/test-env';

/**
 * Issue #15 item 6 in real headless Chromium against the console on the real stack: a canary
 * applied through the rollout API serves real intents; the Rollouts page shows its step, weights,
 * per-arm KPI table with the test's state and its decision log; a reviewer gets no actions; an SRE
 * pauses it and then rolls it back from the page (through the console's /api/rollout proxy), after
 * which the candidate's intents are refused by the kill switch the rollback flipped.
 */
const TENANT = 'maison-console-rollouts';
const SUFFIX = Date.now().toString(36);
const KEY = `pricing-canary-${SUFFIX}`;
const PASSWORD = 'console rollouts passphrase';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

const CANARY = [
  'apiVersion: agentops.io/v1',
  'kind: AgentRollout',
  `metadata: { name: ${KEY} }`,
  'spec:',
  `  cohort: { tenant: ${TENANT}, selector: { role: pricing } }`,
  '  unit: params.sku',
  '  baseline: { name: v1, agentVersion: "1" }',
  '  candidates: [{ name: v2, agentVersion: "2" }]',
  // One long step: nothing advances or concludes by itself while the browser looks.
  '  steps: [{ weight: 50, minDwell: 1h, minSamplePerArm: 100000 }]',
  '  guardrails: [{ kpi: deny_rate, minimumEffect: 0.1 }]',
].join('\n');

/** The platform baseline for this suite: a price is denied only when the test flags it risky. */
const RISKY_POLICY = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: no-risky-prices, version: "1", owner: tests }
spec:
  match: { actions: ["pricing.set_price"] }
  validations:
    - expression: "intent.params.risky == false"
      message: risky price
      effect: deny
`;

interface RolloutView {
  id: string;
  key: string;
  status: string;
  salt: string;
  weights: Record<string, number>;
  halts: { variant: string; killSwitchId: string | null }[];
  analysis: { decisions: Record<string, number> };
  transitions: { transition: string; actor: string; reason: string }[];
}

describe('console Rollouts page in the browser', () => {
  let svc: Record<string, RunningService>;
  let browser: Browser;
  let sre: Record<string, string>;
  const keys: Record<'v1' | 'v2', string> = { v1: '', v2: '' };
  const user = (role: string) => `${role}-${SUFFIX}`;

  beforeAll(async () => {
    // No breakers: only the rollback's kill switch should halt the candidate.
    svc = await bootWiredPlatform({ BREAKERS_DIR: mkdtempSync(join(tmpdir(), 'no-breakers-')) });
    expect(
      (await applyPolicySet(svc.guardrail.url, [{ path: 'risky.yaml', content: RISKY_POLICY }])).status,
    ).toBe(201);
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    for (const arm of ['v1', 'v2'] as const)
      keys[arm] = (
        await registry.register({
          id: `pricing-${arm}-${SUFFIX}`,
          tenantId: TENANT,
          name: 'pricing',
          role: 'pricing',
          version: arm === 'v1' ? '1' : '2',
          region: 'eu',
        })
      ).apiKey;
    for (const [role, roles] of [
      ['sre', ['sre']],
      ['reviewer', ['reviewer']],
    ] as const) {
      const res = await postJson(
        `${svc.console.url}/v1/users`,
        { id: user(role), tenantId: TENANT, roles, groups: [], password: PASSWORD },
        operator,
      );
      expect(res.status).toBe(201);
    }
    sre = {
      authorization: `Bearer ${await mintUserToken({ userId: 'sre-api', tenantId: TENANT, roles: ['sre'] }, TEST_TOKEN_SIGNER)}`,
    };
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await closeWiredPlatform(svc);
  });

  const status = async (id: string) =>
    (await getJson<RolloutView>(`${svc.rollout.url}/v1/rollouts/${id}`, sre)).body;
  /** An intent of the arm's agent version, naming the variant it ran as the SDK does. */
  const propose = async (arm: 'v1' | 'v2', sku: string, risky = false) => {
    const intent = { ...priceIntent(sku, 10), variant: { rollout: KEY, name: arm } };
    intent.params = { ...intent.params, risky };
    return (
      await postJson<{ decision: { verdict: string; decidedBy: string } }>(
        `${svc.ingest.url}/v1/intents?wait=true&timeoutMs=5000`,
        intent,
        { 'x-api-key': keys[arm] },
      )
    ).body.decision;
  };

  it('shows a live canary, lets an SRE pause it and roll it back, and the candidate is refused after', async () => {
    const applied = await postJson<RolloutView>(`${svc.rollout.url}/v1/rollouts`, { yaml: CANARY }, sre);
    expect(applied.status).toBe(201);
    const { id, salt } = applied.body;
    const armOf = (sku: string) =>
      servedArm(
        {
          key: KEY,
          tenantId: TENANT,
          selector: { tenantId: TENANT, role: 'pricing' },
          unitPath: 'params.sku',
          salt,
          baseline: { name: 'v1' },
          candidates: [{ name: 'v2' }],
          status: 'running',
          weights: { v1: 50, v2: 50 },
          generation: 1,
        },
        sku,
      ) as 'v1' | 'v2';

    // The variant gate (guardrail) learns the rollout from its topic; until then any variant is
    // refused as unknown. Probed with the wrong variant for its unit, which the rollout never counts.
    const probe = `SKU-${SUFFIX}-probe`;
    const wrongArm = armOf(probe) === 'v1' ? 'v2' : 'v1';
    await eventually(
      async () => {
        const intent = { ...priceIntent(probe, 10), variant: { rollout: KEY, name: wrongArm } };
        intent.params = { ...intent.params, risky: false };
        const res = await postJson<{ decision: { reasons: { message: string }[] } }>(
          `${svc.ingest.url}/v1/intents?wait=true&timeoutMs=5000`,
          intent,
          { 'x-api-key': keys[wrongArm] },
        );
        return res.body.decision?.reasons.some((r) => r.message.includes('rollout_variant_mismatch'));
      },
      30_000,
      'the variant gate to know the rollout',
    );
    // Real traffic: each SKU proposed by the agent version its unit is assigned to.
    const skus = Array.from({ length: 40 }, (_, i) => `SKU-${SUFFIX}-${i}`);
    const sent = { v1: 0, v2: 0 };
    for (let i = 0; i < skus.length; i += 8)
      await Promise.all(
        skus.slice(i, i + 8).map(async (sku) => {
          const arm = armOf(sku);
          sent[arm] += 1;
          expect((await propose(arm, sku))?.verdict).toBe('allow');
        }),
      );
    const counted = await eventually(
      async () => {
        const v = await status(id);
        return v.analysis.decisions.v1 + v.analysis.decisions.v2 === 40 && v;
      },
      90_000,
      'the rollout service to count the 40 decisions',
    );
    expect(counted.status).toBe('running');

    // A reviewer reads the rollout but is offered no action.
    const reviewer = await signIn(browser, svc.console.url, user('reviewer'), PASSWORD);
    await openRollout(reviewer.page, id);
    await reviewer.page.getByTestId('kpi-table').waitFor();
    expect(await reviewer.page.getByTestId('rollout-pause').count()).toBe(0);
    await reviewer.context.close();

    const { context, page } = await signIn(browser, svc.console.url, user('sre'), PASSWORD);
    await openRollout(page, id);
    // Step, weights and the per-arm counts as the rollout service counted them.
    await expectText(page.getByTestId('rollout-step'), 'Step 1 of 1 · candidate at 50 %');
    const arms = await page
      .getByTestId('arm-row')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.getAttribute('data-arm'),
          r.getAttribute('data-weight'),
          r.querySelector('[data-testid="arm-decisions"]')?.textContent,
        ]),
      );
    expect(arms).toEqual([
      ['v1', '50', String(sent.v1)],
      ['v2', '50', String(sent.v2)],
    ]);
    // The guardrail table: the baseline's deny rate and the candidate's, with the effect's interval
    // and the sequential test's state (nothing is denied, so nothing is proven harmful).
    const candidateRow = page.locator('[data-testid="kpi-row"][data-kpi="deny_rate"][data-arm="v2"]');
    await expectText(candidateRow, '0 %');
    expect(await candidateRow.getAttribute('data-test')).not.toBe('harm');
    expect(await candidateRow.innerText()).toMatch(/\[.*,.*\]/);
    await page.locator('[data-testid="kpi-row"][data-kpi="deny_rate"][data-arm="baseline"]').waitFor();
    await page.locator('[data-testid="log-row"][data-transition="applied"]').waitFor();

    // Pause from the page: the service records it, by this user.
    await page.getByTestId('rollout-pause').click();
    await page.getByTestId('rollout-confirm').getByLabel('Reason').fill('checking the new elasticity model');
    await page.getByTestId('rollout-confirm').getByRole('button', { name: 'Pause' }).click();
    await expectText(page.getByTestId('rollout-status'), 'Paused');
    const paused = await status(id);
    expect(paused.status).toBe('paused');
    expect(paused.transitions.at(-1)).toMatchObject({
      transition: 'paused',
      actor: `user:${user('sre')}`,
      reason: 'checking the new elasticity model',
    });
    await page.locator('[data-testid="log-row"][data-transition="paused"]').waitFor();

    // Roll back from the page: the baseline serves every unit and the candidate is halted.
    await page.getByTestId('rollout-rollback').click();
    await page.getByTestId('rollout-confirm').getByRole('button', { name: 'Roll back' }).click();
    await page
      .locator('[data-testid="rollout-detail"][data-status="rolled_back"]')
      .waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="arm-row"][data-arm="v2"][data-weight="0"]').waitFor();
    expect(await page.getByTestId('rollout-rollback').count()).toBe(0);
    const switchId = await eventually(
      async () => (await status(id)).halts.find((h) => h.variant === 'v2')?.killSwitchId,
      20_000,
      "the candidate's kill switch",
    );
    await expectText(page.getByTestId('rollout-halts'), switchId);

    const refused = await eventually(
      async () => {
        const d = await propose('v2', `SKU-${SUFFIX}-after`);
        return d?.decidedBy === 'killswitch' && d;
      },
      10_000,
      "the candidate's intents refused",
    );
    expect(refused.verdict).toBe('deny');
    // The baseline serves every unit now, the candidate's former ones too.
    expect((await propose('v1', `SKU-${SUFFIX}-after`))?.verdict).toBe('allow');

    // The list shows it rolled back, and the nav entry leads there.
    await page.getByTestId('nav-rollouts').click();
    await page
      .locator(`[data-testid="rollout-row"][data-rollout-id="${id}"][data-status="rolled_back"]`)
      .waitFor();
    await context.close();
  }, 300_000);

  it('lets an SRE apply a rollout from the page, a bad field named; a reviewer gets no editor', async () => {
    const reviewer = await signIn(browser, svc.console.url, user('reviewer'), PASSWORD);
    await reviewer.page.getByTestId('nav-rollouts').click();
    await reviewer.page.getByTestId('page-rollouts').waitFor();
    expect(await reviewer.page.getByTestId('rollout-yaml').count()).toBe(0);
    await reviewer.context.close();

    const { context, page } = await signIn(browser, svc.console.url, user('sre'), PASSWORD);
    await page.getByTestId('nav-rollouts').click();
    const key = `service-prompts-${SUFFIX}`;
    const experiment = (kpi: string) =>
      [
        'apiVersion: agentops.io/v1',
        'kind: AgentRollout',
        `metadata: { name: ${key} }`,
        'spec:',
        '  mode: experiment',
        `  cohort: { tenant: ${TENANT}, selector: { role: service } }`,
        '  unit: target.id',
        '  baseline: { name: formal, promptId: cs-formal-v3 }',
        '  candidates: [{ name: warm, promptId: cs-warm-v4 }]',
        '  experiment:',
        '    weights: { formal: 50, warm: 50 }',
        '    primary: { kpi: business_value, path: result.csat, minimumEffect: 0.2 }',
        '    minSamplePerArm: 100000',
        `  guardrails: [{ kpi: ${kpi} }]`,
      ].join('\n');
    await page.getByTestId('rollout-yaml').fill(experiment('happiness'));
    await page.getByTestId('rollout-apply').click();
    await expectText(page.getByTestId('rollout-apply-problem'), 'spec.guardrails.0.kpi');
    expect(
      (
        await getJson<{ rollouts: { key: string }[] }>(`${svc.rollout.url}/v1/rollouts`, sre)
      ).body.rollouts.map((r) => r.key),
    ).not.toContain(key);

    await page.getByTestId('rollout-yaml').fill(experiment('deny_rate'));
    await page.getByTestId('rollout-apply').click();
    const detail = page.locator('[data-testid="rollout-detail"][data-status="running"]');
    await detail.waitFor({ timeout: 20_000 });
    const id = await detail.getAttribute('data-rollout-id');
    expect(await status(id!)).toMatchObject({ key, status: 'running' });
    await context.close();
  }, 120_000);

  it('no page threw an uncaught error or was refused by the Content-Security-Policy', () => {
    expect(pageProblems).toEqual([]);
  });
});

async function openRollout(page: Page, id: string): Promise<void> {
  await page.getByTestId('nav-rollouts').click();
  const row = page.locator(`[data-testid="rollout-row"][data-rollout-id="${id}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.getByRole('link').click();
  await page.locator(`[data-testid="rollout-detail"][data-rollout-id="${id}"]`).waitFor();
}

async function expectText(locator: Locator, expected: string): Promise<void> {
  await eventually(
    async () => (await locator.allInnerTexts()).join('\n').includes(expected),
    15_000,
    `text ${expected}`,
  );
}
