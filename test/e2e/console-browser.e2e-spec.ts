import { randomBytes } from 'node:crypto';
import { IntentProposal } from '@agentops/contracts';
import { RunningService } from '@agentops/service-runtime';
import { RunningTracing, startTracing } from '@agentops/service-runtime/tracing';
import type { Browser } from 'playwright-core';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { getJson, postJson } from '../support/agent-http';
import { launchChromium, pageProblems, signIn, watchPage } from '../support/browser';
import { bootWiredPlatform, closeWiredPlatform, eventually } from '../support/platform';
import { applyPolicySet } from '../support/policies';
import { TEST_OPERATOR_TOKEN } from '../support/test-env';

const TENANT = 'maison-browser';
const PASSWORD = 'console browser passphrase';
const operator = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/** Low confidence is for a human to judge. */
const LOW_CONFIDENCE = `
apiVersion: agentops.io/v1
kind: GuardrailPolicy
metadata: { name: low-confidence, version: "1" }
spec:
  match: { actions: ["service.*"] }
  validations:
    - expression: "intent.confidence >= 0.6"
      message: agent is not confident enough
      effect: escalate
`;

const recommendation = (): IntentProposal => ({
  action: 'shopping.recommend',
  target: { type: 'customer', id: 'C-77' },
  params: { skus: ['BAG-1'] },
  confidence: 0.9,
  justification: 'customer browsed bags twice this week',
  dataUsed: [],
});

const hesitantMessage = (): IntentProposal => ({
  action: 'service.send_message',
  target: { type: 'customer', id: 'C-78' },
  params: { text: 'we are looking into your delivery' },
  confidence: 0.3,
  justification: 'delivery is late; unsure of the new date',
  dataUsed: [],
});

interface Decision {
  verdict: string;
  decidedBy: string;
}

/**
 * Issue #8 acceptance in real headless Chromium against the console on the real stack: sign in;
 * flip a switch and watch the agent's next intent be denied; approve an escalation from the inbox
 * and find the decision in the audit explorer; a reviewer cannot flip switches.
 */
describe('console in the browser', () => {
  const svc: Partial<
    Record<
      'audit' | 'guardrail' | 'escalation' | 'killswitch' | 'ingest' | 'console' | 'rollout',
      RunningService
    >
  > = {};
  let browser: Browser;
  let tracing: RunningTracing;
  const suffix = Date.now().toString(36);
  const user = (role: string) => `${role}-${suffix}`;
  let shoppingKey: string;
  let shoppingId: string;
  let serviceKey: string;

  beforeAll(async () => {
    // The SDK as a service's main.ts starts it (no OTLP endpoint): the services' spans reach the trace store.
    tracing = startTracing({
      service: 'e2e',
      env: { OTEL_BSP_SCHEDULE_DELAY: '100', TRACE_STORE_EXPORT_DELAY: '100' },
    });
    const wired = Object.assign(svc, await bootWiredPlatform());
    expect(
      (await applyPolicySet(wired.guardrail.url, [{ path: 'low-confidence.yaml', content: LOW_CONFIDENCE }]))
        .status,
    ).toBe(201);
    const registry = AgentRegistry.of(wired.ingest.parts.dataSource);
    const reg = (id: string, role: 'shopping' | 'service') =>
      registry.register({ id, tenantId: TENANT, name: id, role, version: '1.0.0', region: 'eu-west' });
    const shopping = await reg(`shopper-${suffix}`, 'shopping');
    shoppingKey = shopping.apiKey;
    shoppingId = shopping.agent.id;
    serviceKey = (await reg(`concierge-${suffix}`, 'service')).apiKey;
    // The reviewer is in the group policies/escalation/routes.yaml names for service.* tasks.
    for (const [role, roles, groups] of [
      ['sre', ['sre'], []],
      ['reviewer', ['reviewer'], ['service-reviewers']],
      ['auditor', ['auditor'], []],
    ] as const) {
      const res = await postJson(
        `${wired.console.url}/v1/users`,
        { id: user(role), tenantId: TENANT, roles, groups, password: PASSWORD },
        operator,
      );
      expect(res.status).toBe(201);
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await closeWiredPlatform(svc);
    await tracing?.shutdown();
  });

  const propose = (key: string, intent: IntentProposal, wait = true) =>
    postJson<{ intentId: string; decision?: Decision }>(
      `${svc.ingest!.url}/v1/intents${wait ? '?wait=true&timeoutMs=5000' : ''}`,
      intent,
      { 'x-api-key': key },
    );

  /** A reviewer approves the intent's task from the console's inbox. */
  const approveInInbox = async (intentId: string) => {
    const { context, page } = await signIn(browser, svc.console!.url, user('reviewer'), PASSWORD);
    await page.getByTestId('nav-escalations').click();
    const row = page.locator(`[data-testid="task-row"][data-intent-id="${intentId}"]`);
    await eventually(
      async () => {
        if ((await row.count()) > 0) return true;
        await page.reload();
        return false;
      },
      30_000,
      'the escalation to reach the inbox',
    );
    await row.click();
    await expectText(page.locator('body'), 'agent is not confident enough');
    await page.getByTestId('approve').click();
    await expectText(page.locator('body'), /approved/i);
    await context.close();
  };

  it('signs in: a wrong password is refused on the form, the right one shows who is signed in', async () => {
    const context = await browser.newContext();
    const page = watchPage(await context.newPage());
    await page.goto(svc.console!.url);
    await page.getByLabel('Username').fill(user('sre'));
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByTestId('error'), 'Wrong username or password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByTestId('current-user'), user('sre'));
    // The session survives a reload (HttpOnly cookie), and the overview is what opens.
    await page.reload();
    await expectText(page.getByTestId('current-user'), user('sre'));
    await page.getByTestId('intents-per-second').waitFor();
    await context.close();
  });

  it('an SRE flips a switch after a confirmation naming how many agents it halts; the agent’s next intent is denied', async () => {
    expect((await propose(shoppingKey, recommendation())).body.decision?.verdict).toBe('allow');
    // The kill-switch service learns agents from their intents; wait until it knows this one.
    await eventually(
      async () => {
        const p = await postJson<{ coveredAgents: number }>(
          `${svc.killswitch!.url}/v1/killswitches/preview`,
          { selector: { tenantId: TENANT, role: 'shopping' } },
          operator,
        );
        return p.body.coveredAgents === 1;
      },
      20_000,
      'the kill-switch service to know the shopping agent',
    );

    const { context, page } = await signIn(browser, svc.console!.url, user('sre'), PASSWORD);
    await page.getByTestId('nav-killswitches').click();
    const form = page.getByTestId('flip-form');
    await form.getByLabel('Role').selectOption('shopping');
    await form.getByLabel('Reason').fill('recommendations look off; halting shopping agents');
    await form.getByRole('button', { name: /flip/i }).click();
    const confirm = page.getByTestId('flip-confirm');
    await expectText(confirm, 'This halts 1 agent');
    await expectText(confirm, shoppingId);
    await confirm.getByRole('button', { name: /confirm/i }).click();
    await expectText(page.getByTestId('switch-row').first(), 'recommendations look off');

    const next = await propose(shoppingKey, recommendation());
    expect(next.body.decision).toEqual(expect.objectContaining({ verdict: 'deny', decidedBy: 'killswitch' }));

    // Release it from the console: the agent works again.
    page.once('dialog', (d) => void d.accept('false alarm'));
    await page
      .getByTestId('switch-row')
      .first()
      .getByRole('button', { name: /release/i })
      .click();
    await eventually(
      async () => (await page.getByTestId('switch-row').count()) === 0,
      10_000,
      'the switch to leave the list',
    );
    expect((await propose(shoppingKey, recommendation())).body.decision?.verdict).toBe('allow');
    await context.close();
  });

  it('a reviewer cannot flip switches: the console says so and nothing is flipped', async () => {
    const { context, page } = await signIn(browser, svc.console!.url, user('reviewer'), PASSWORD);
    await page.getByTestId('nav-killswitches').click();
    const form = page.getByTestId('flip-form');
    await form.getByLabel('Role').selectOption('shopping');
    await form.getByLabel('Reason').fill('a reviewer trying');
    await form.getByRole('button', { name: /flip/i }).click();
    const confirm = page.getByTestId('flip-confirm');
    await confirm.waitFor();
    await confirm.getByRole('button', { name: /confirm/i }).click();
    await expectText(page.getByTestId('error'), 'permission');
    // Other suites share the database: only this tenant's switches count.
    const active = await getJson<{ switches: { tenantId: string }[] }>(
      `${svc.killswitch!.url}/v1/killswitches?state=active`,
      operator,
    );
    expect(active.body.switches.filter((sw) => sw.tenantId === TENANT)).toHaveLength(0);
    await context.close();
  });

  it('a reviewer approves an escalated intent from the inbox; an auditor finds the human decision in the audit explorer', async () => {
    const proposed = await propose(serviceKey, hesitantMessage(), false);
    expect(proposed.status).toBe(202);
    const intentId = proposed.body.intentId;

    await approveInInbox(intentId);

    const decision = await eventually(
      async () => {
        const d = await getJson<{ status: string; decision?: Decision }>(
          `${svc.ingest!.url}/v1/intents/${intentId}/decision`,
          { 'x-api-key': serviceKey },
        );
        return d.body.decision?.decidedBy === 'human' ? d.body.decision : undefined;
      },
      20_000,
      'the human decision to reach the agent',
    );
    expect(decision.verdict).toBe('allow');

    const auditor = await signIn(browser, svc.console!.url, user('auditor'), PASSWORD);
    await auditor.page.goto(`${svc.console!.url}/#/audit/intent/${intentId}`);
    await eventually(
      async () => {
        const steps = await auditor.page.getByTestId('story-step').allInnerTexts();
        if (steps.some((s) => /human/.test(s))) return true;
        await auditor.page.reload();
        return false;
      },
      30_000,
      'the human decision in the audit story',
    );
    const types = await auditor.page
      .getByTestId('story-step')
      .evaluateAll((steps) => steps.map((s) => s.getAttribute('data-type')));
    expect(types).toEqual(
      expect.arrayContaining([
        'agentops.intent.proposed.v1',
        'agentops.escalation.opened.v1',
        'agentops.escalation.resolved.v1',
      ]),
    );
    await auditor.page.getByTestId('verify-chain').click();
    await auditor.page.locator('[data-testid="chain-status"][data-state="ok"]').waitFor({ timeout: 30_000 });
    await auditor.context.close();
  });

  it("the Traces page shows an escalated intent's one trace: the agent's LLM and tool calls, the decision with its policy, the review, the human's decision, the outcome", async () => {
    const traceId = randomBytes(16).toString('hex');
    const agentSpanId = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${agentSpanId}-01`;
    const proposed = await postJson<{ intentId: string }>(
      `${svc.ingest!.url}/v1/intents`,
      hesitantMessage(),
      {
        'x-api-key': serviceKey,
        traceparent,
      },
    );
    expect(proposed.status).toBe(202);
    const intentId = proposed.body.intentId;
    // The agent's own spans, over OTLP: the LLM call that wrote the message and a tool it called.
    const now = Date.now();
    const otlpSpan = (name: string, attributes: [string, string | number][], from: number, to: number) => ({
      traceId,
      spanId: randomBytes(8).toString('hex'),
      parentSpanId: agentSpanId,
      name,
      kind: 3,
      startTimeUnixNano: `${now - from}000000`,
      endTimeUnixNano: `${now - to}000000`,
      attributes: attributes.map(([key, v]) => ({
        key,
        value: typeof v === 'number' ? { intValue: v } : { stringValue: v },
      })),
    });
    const exported = await postJson(
      `${svc.ingest!.url}/v1/traces`,
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  otlpSpan(
                    'chat gpt-4o',
                    [
                      ['gen_ai.operation.name', 'chat'],
                      ['gen_ai.request.model', 'gpt-4o'],
                      ['gen_ai.usage.input_tokens', 420],
                      ['gen_ai.usage.output_tokens', 60],
                    ],
                    900,
                    400,
                  ),
                  otlpSpan(
                    'execute_tool delivery_status',
                    [
                      ['gen_ai.operation.name', 'execute_tool'],
                      ['gen_ai.tool.name', 'delivery_status'],
                    ],
                    1200,
                    1000,
                  ),
                ],
              },
            ],
          },
        ],
      },
      { 'x-api-key': serviceKey },
    );
    expect(exported.status).toBe(200);
    await approveInInbox(intentId);
    const outcome = await eventually(
      async () => {
        const r = await postJson(
          `${svc.ingest!.url}/v1/outcomes`,
          {
            intentId,
            action: 'service.send_message',
            status: 'succeeded',
            executedParams: hesitantMessage().params,
          },
          { 'x-api-key': serviceKey, traceparent },
        );
        return r.status === 202 ? r : undefined;
      },
      20_000,
      'the outcome to be accepted',
    );
    expect(outcome.status).toBe(202);

    const { context, page } = await signIn(browser, svc.console!.url, user('sre'), PASSWORD);
    await page.goto(`${svc.console!.url}/#/traces/intent/${intentId}`);
    const rows = page.getByTestId('wf-row');
    const wanted: [string, RegExp][] = [
      ['agent', /^chat gpt-4o$/],
      ['agent', /^execute_tool delivery_status$/],
      ['guardrail', /^decision escalate \(policy\)$/],
      ['escalation', /^review opened/],
      ['escalation', /^decision allow \(human\)$/],
      // The services' own spans: the decision processed by guardrail, the human's decision sent by
      // escalation, the outcome sent by ingest and verified by guardrail.
      ['guardrail', /^process agentops\.intents\.v1$/],
      ['escalation', /^send .*agentops\.decisions\.v1$/],
      ['ingest', /^send .*agentops\.outcomes\.v1$/],
      ['guardrail', /^process agentops\.outcomes\.v1$/],
    ];
    await eventually(
      async () => {
        const shown = await rows.evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-source') ?? '', e.getAttribute('data-name') ?? '']),
        );
        const missing = wanted.filter(([src, name]) => !shown.some(([s, n]) => s === src && name.test(n)));
        if (!missing.length) return true;
        await page.reload();
        throw new Error(
          `missing ${missing.map(([s, n]) => `${s} ${n}`).join(', ')}; shown ${shown.map((x) => x.join(' ')).join(', ')}`,
        );
      },
      45_000,
      'the whole trace in the waterfall',
    );
    // One trace, and the decision's row names the policy that escalated it.
    expect(await page.getByTestId('waterfall').count()).toBe(1);
    await page.locator('[data-testid="wf-row"][data-name="decision escalate (policy)"] button').click();
    await expectText(page.getByTestId('wf-detail'), 'low-confidence');
    await context.close();
  });

  it('the Policies page shows the platform baseline and the tenant’s own set over it, each policy labelled', async () => {
    const house = LOW_CONFIDENCE.replace('name: low-confidence', 'name: house-recommendations').replace(
      'actions: ["*"]',
      'actions: ["shopping.recommend"]',
    );
    const applied = await postJson<{ version: string }>(
      `${svc.guardrail!.url}/v1/policies/sets`,
      { tenantId: TENANT, files: [{ path: 'house.yaml', content: house }] },
      operator,
    );
    expect(applied.status).toBe(201);
    const { context, page } = await signIn(browser, svc.console!.url, user('auditor'), PASSWORD);
    await page.goto(`${svc.console!.url}/#/policies`);
    await page
      .locator('[data-testid="policy-row"][data-policy-set="baseline"][data-policy-id="low-confidence"]')
      .waitFor();
    await page
      .locator('[data-testid="policy-row"][data-policy-set="tenant"][data-policy-id="house-recommendations"]')
      .waitFor();
    await expectText(page.getByTestId('tenant-policy-set-version'), applied.body.version);
    const sets = await page.getByTestId('policy-set').allInnerTexts();
    expect(sets.some((s) => s.includes(`${TENANT}’s set`) && s.includes(applied.body.version))).toBe(true);
    await context.close();
  });

  it('no page threw an uncaught error or was refused by the Content-Security-Policy', () => {
    expect(pageProblems).toEqual([]);
  });
});

async function expectText(
  locator: import('playwright-core').Locator,
  expected: string | RegExp,
): Promise<void> {
  await eventually(
    async () => {
      const text = (await locator.allInnerTexts()).join('\n');
      return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
    },
    15_000,
    `text ${String(expected)}`,
  );
}
