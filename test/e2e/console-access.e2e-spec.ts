import { AccessAnomalyDetectedV1 } from '@agentops/contracts';
import { RunningService, mintUserToken } from '@agentops/service-runtime';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson } from '../support/agent-http';
import { launchChromium, pageProblems, signIn } from '../support/browser';
import { bootWiredPlatform, closeWiredPlatform, eventually } from '../support/platform';
import { TEST_OPERATOR_TOKEN, TEST_TOKEN_SIGNER } from '../support/test-env';

/**
 * Issue #17 item 6 in real headless Chromium against the console on the real stack: two agents
 * report their reads through ingest; one reads outside its scopes and the access service
 * quarantines it. The Data access page shows both agents' baselines beside now, the anomaly with
 * its explanation, and the quarantine naming its kill switch — all through the console's
 * /api/access proxy with the signed-in user's tenant-bound token.
 */
const TENANT = 'maison-console-access';
const SUFFIX = Date.now().toString(36);
const PASSWORD = 'console access passphrase';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const subject = (i: number) => `customer_${i.toString(16).padStart(32, '0')}`;

describe('console Data access page in the browser', () => {
  let svc: Record<string, RunningService>;
  let browser: Browser;
  let sre: Record<string, string>;
  const ids = { calm: `svc-calm-${SUFFIX}`, rogue: `svc-rogue-${SUFFIX}` };
  const keys = { calm: '', rogue: '' };

  beforeAll(async () => {
    // No breakers: only the access service's quarantine should halt an agent.
    svc = await bootWiredPlatform({ BREAKERS_DIR: mkdtempSync(join(tmpdir(), 'no-breakers-')) });
    const registry = AgentRegistry.of(svc.ingest.parts.dataSource);
    for (const name of ['calm', 'rogue'] as const)
      keys[name] = (
        await registry.register({
          id: ids[name],
          tenantId: TENANT,
          name,
          role: 'service',
          version: '1.0.0',
          region: 'eu',
        })
      ).apiKey;
    const res = await postJson(
      `${svc.console.url}/v1/users`,
      { id: `sre-${SUFFIX}`, tenantId: TENANT, roles: ['sre'], groups: [], password: PASSWORD },
      operator,
    );
    expect(res.status).toBe(201);
    sre = {
      authorization: `Bearer ${await mintUserToken({ userId: 'sre-api', tenantId: TENANT, roles: ['sre'] }, TEST_TOKEN_SIGNER)}`,
    };
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await closeWiredPlatform(svc);
  });

  const report = (key: string, access: Record<string, unknown>) =>
    postJson(
      `${svc.ingest.url}/v1/telemetry`,
      { kind: 'data_access', name: String(access.source), access },
      { 'x-api-key': key },
    );

  it('shows baselines beside now, the anomaly explained and the quarantine it caused', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (
          await report(keys.calm, {
            kind: 'read',
            source: 'crm.customers',
            dataClasses: ['customer'],
            records: 4,
            subjectIds: [subject(i)],
          })
        ).status,
      ).toBe(202);
    expect(
      (
        await report(keys.rogue, {
          kind: 'read',
          source: 'payments.cards',
          dataClasses: ['payment.card'],
          records: 40,
          subjectIds: [subject(100)],
        })
      ).status,
    ).toBe(202);
    const quarantined = await eventually(
      async () => {
        const r = await getJson<{ anomalies: AccessAnomalyDetectedV1[] }>(
          `${svc.access.url}/v1/access/anomalies?agentId=${ids.rogue}`,
          sre,
        );
        return r.body.anomalies.find((a) => a.quarantine);
      },
      30_000,
      'the quarantine',
    );
    const switchId = quarantined.quarantine!.switchId;
    await eventually(
      async () => {
        const r = await getJson<{ baselines: { agentId: string; now: { reads: number } }[] }>(
          `${svc.access.url}/v1/access/baselines?agentId=${ids.calm}`,
          sre,
        );
        return r.body.baselines[0]?.now.reads === 3;
      },
      30_000,
      "the calm agent's reads",
    );

    const { context, page } = await signIn(browser, svc.console.url, `sre-${SUFFIX}`, PASSWORD);
    await page.getByTestId('nav-access').click();
    await page.getByTestId('page-access').waitFor();

    // The quarantine, naming its switch and the anomaly that caused it.
    const q = page.locator(`[data-testid="quarantine-row"][data-switch-id="${switchId}"]`);
    await expectText(q, ids.rogue);
    await expectText(q, "read 40 records of payment.card, outside the agent's scopes");

    // Both agents' baselines beside now; the quarantined one is marked.
    const calm = page.locator(`[data-testid="baseline-row"][data-agent-id="${ids.calm}"]`);
    const rogue = page.locator(`[data-testid="baseline-row"][data-agent-id="${ids.rogue}"]`);
    // What the page shows now is what the access service answers now (the open bucket rolls each minute).
    await eventually(
      async () => {
        const [b] = (
          await getJson<{ baselines: { now: { records: number; intents: number } }[] }>(
            `${svc.access.url}/v1/access/baselines?agentId=${ids.calm}`,
            sre,
          )
        ).body.baselines;
        const shown = (await calm.getByTestId('now-records').innerText()).split(' ')[0];
        return b && b.now.intents === 0 && shown === String(Number(b.now.records.toPrecision(3)));
      },
      15_000,
      "the calm agent's records now",
    );
    await expectText(rogue, 'quarantined');
    expect(await calm.getByText('quarantined').count()).toBe(0);

    // The anomaly, explained: feature and detector, observed against the scope, the message.
    const row = page.locator(`[data-testid="anomaly-row"][data-anomaly-id="${quarantined.anomalyId}"]`);
    await expectText(row.getByTestId('anomaly-what'), 'data_classes · scope');
    await expectText(row, 'high');
    await expectText(row.getByTestId('anomaly-message'), 'outside the agent');
    await expectText(row.getByTestId('anomaly-message'), 'quarantined by switch');

    // One agent's view: the calm agent has no anomaly, and the rogue one is not listed.
    await calm.getByRole('link', { name: ids.calm }).click();
    await expectText(page.getByTestId('access-anomalies'), 'No anomaly');
    await eventually(
      async () => (await page.locator('[data-testid="baseline-row"]').count()) === 1,
      15_000,
      'only the calm agent',
    );
    await context.close();
    expect(pageProblems).toEqual([]);
  }, 120_000);
});

async function expectText(locator: Locator, expected: string): Promise<void> {
  await eventually(
    async () => (await locator.allInnerTexts()).join('\n').includes(expected),
    15_000,
    `text ${expected}`,
  );
}
