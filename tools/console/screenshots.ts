import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { DEMO_TENANT, demoCredentials } from './demo-users';

/**
 * Screenshots of every console page for docs/, taken in Debian's headless chromium against the
 * running demo platform (`npm run demo`, then `npm run console:screenshots`), signed in as the demo
 * tenant's admin. Adds a few intents a human must judge first, so the inbox is not empty.
 */
const CONSOLE = process.env.CONSOLE_URL ?? 'http://127.0.0.1:3000';
const OUT = process.env.SCREENSHOTS_DIR ?? 'docs/screenshots';

const INGEST = process.env.INGEST_URL ?? 'http://127.0.0.1:3001';

async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> },
  base = CONSOLE,
) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Low-confidence and large-refund intents from a fresh concierge agent: they wait for a human. */
async function seedEscalations(operatorToken: string): Promise<void> {
  const auth = { authorization: `Bearer ${operatorToken}` };
  const agent = await api<{ apiKey: string }>('/api/ingest/v1/agents', {
    method: 'POST',
    headers: auth,
    body: {
      id: 'concierge-screens',
      tenantId: DEMO_TENANT,
      name: 'Concierge (screenshots)',
      role: 'service',
      version: '2.1.0',
      region: 'eu-west',
      ownerTeam: 'client-care',
    },
  });
  const intents = [
    { amount: 850, customer: 'C-1042', reason: 'damaged handbag on arrival; client is a top-tier VIC' },
    { amount: 640, customer: 'C-2211', reason: 'late delivery of an engagement ring; goodwill refund' },
    { amount: 120, customer: 'C-3307', reason: 'scarf colour differs from photo', confidence: 0.42 },
  ];
  for (const i of intents) {
    // Agents talk to ingest directly: the console's proxy carries human tokens only.
    await api(
      '/v1/intents',
      {
        method: 'POST',
        headers: { 'x-api-key': agent.apiKey },
        body: {
          action: 'service.issue_refund',
          target: { type: 'order', id: `O-${i.customer.slice(2)}` },
          params: { amount: i.amount, currency: 'EUR', customerId: i.customer },
          confidence: i.confidence ?? 0.81,
          justification: i.reason,
          dataUsed: [{ source: 'orders', ref: `O-${i.customer.slice(2)}`, dataClasses: ['order'] }],
        },
      },
      INGEST,
    );
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
  console.log(`  ${join(OUT, `${name}.png`)}`);
}

async function main(): Promise<void> {
  const operatorToken = process.env.AGENTOPS_TOKEN;
  if (!operatorToken)
    throw new Error('AGENTOPS_TOKEN is not set (an operator token: bash scripts/platform.sh operator-token)');
  const password = demoCredentials(process.env.AGENTOPS_STATE_DIR ?? '.local')['ada.admin']!;
  mkdirSync(OUT, { recursive: true });
  await seedEscalations(operatorToken);

  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(CONSOLE);
    await page.getByLabel('Username').fill('ada.admin');
    await shoot(page, 'login');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('intents-per-second').waitFor();
    await page.waitForTimeout(2500); // two refreshes of the live figures
    await shoot(page, 'overview');

    await page.getByTestId('nav-killswitches').click();
    await page.getByTestId('flip-form').waitFor();
    await shoot(page, 'killswitches');
    const form = page.getByTestId('flip-form');
    await form.getByLabel('Role').selectOption('pricing');
    await form.getByLabel('Reason').fill('competitor feed outage: prices may chase bad data');
    await form.getByRole('button', { name: /flip/i }).click();
    await page.getByTestId('flip-confirm').waitFor();
    await shoot(page, 'killswitches-confirm');
    await page
      .getByTestId('flip-confirm')
      .getByRole('button', { name: /cancel/i })
      .click();

    await page.getByTestId('nav-escalations').click();
    await page.getByTestId('task-row').first().waitFor({ timeout: 15_000 });
    await shoot(page, 'escalations');
    await page.getByTestId('task-row').first().click();
    await page.getByTestId('task-detail').waitFor();
    const intentId = await page.getByTestId('task-detail').getAttribute('data-intent-id');
    await shoot(page, 'escalation-task');

    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('verify-chain').click();
    await page
      .locator(
        '[data-testid="chain-status"][data-state="ok"], [data-testid="chain-status"][data-state="broken"]',
      )
      .waitFor({ timeout: 60_000 });
    await shoot(page, 'audit');
    if (intentId) {
      await page.goto(`${CONSOLE}/#/audit/intent/${intentId}`);
      await page.getByTestId('story-step').first().waitFor({ timeout: 15_000 });
      await shoot(page, 'audit-story');
    }

    await page.getByTestId('nav-policies').click();
    await page.getByTestId('policy-row').first().waitFor();
    await shoot(page, 'policies');

    // The demo tenant's knowledge (imported by the simulation): versions, diff, contradicted claims.
    await page.goto(`${CONSOLE}/#/knowledge?tenant=maison-demo`);
    await page.getByTestId('kb-version-row').first().waitFor({ timeout: 15_000 });
    await shoot(page, 'knowledge');
  } finally {
    await browser.close();
  }
}

main().catch((error: Error) => {
  console.error(`screenshots: ${error.message}`);
  process.exit(1);
});
