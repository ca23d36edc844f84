import { AgentOpsClient } from '@agentops/sdk';
import { Presets, SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  ShopState,
  SimAgent,
  customerService,
  dynamicPricing,
  failureModeIntents,
  personalShopper,
  replenishment,
} from './agents';
import { VerifyReport, verificationSummary } from '../cli/audit-report';
import { demoCredentials } from '../console/demo-users';
import { generateCatalog, generateCustomers } from './catalog';
import { GroundingTally } from './grounding-tally';
import { groundingSummary, importKnowledge, simulationKnowledge } from './knowledge';
import { FAILURE_MODES } from './failure-modes';
import { Endpoints, api, endpointsFromEnv, signIn } from './platform-api';
import { Random } from './random';
import { ExampleSpan, SimulationReport, printReport, writeHtmlReport } from './report';
import { SimulatedReviewer } from './reviewer';
import { DataAccessScenarioReport, runDataAccessScenarios } from './data-access';
import { RolloutScenarioReport, runRolloutScenarios } from './rollouts';
import { AgentType, FailureModeResult, Tally } from './tally';

/**
 * The main job's simulation: a luxury retailer's four agent types, built on the SDK, run against
 * the platform for a bounded time with every failure mode injected on a schedule; then the report.
 */
const TENANT = 'maison-demo';
/** The retailer's outlet brand: its own tenant, where the pricing canary runs (tools/simulation/rollouts.ts). */
const OUTLET = 'maison-demo-outlet';
/** The demo people who clear escalations (tools/console/demo-users.ts). */
const REVIEWER = 'rita.reviewer';
const LEAD = 'lea.lead';

interface Options {
  duration: number;
  seed: number;
  approveRate: number;
  reviewDelayMs: number;
  html: string;
  rolloutGrace: number;
  rollouts: boolean;
  dataAccess: boolean;
  dataAccessGrace: number;
}

async function main(): Promise<void> {
  const opts = new Command()
    .name('simulate')
    .option('--duration <seconds>', 'how long agents run', (v) => Number(v), 60)
    .option('--seed <n>', 'seed for the catalog and the run', (v) => Number(v), 7)
    .option(
      '--approve-rate <0..1>',
      'share of escalations the simulated reviewer approves',
      (v) => Number(v),
      0.7,
    )
    .option('--review-delay-ms <ms>', 'the reviewer’s reading time', (v) => Number(v), 1500)
    .option('--html <path>', 'where to write the HTML report', 'reports/simulation.html')
    .option('--no-rollouts', 'skip the pricing canary and the service-prompt A/B (issue #15)')
    // The access service must run with the demo's compressed day (scripts/demo.sh sets
    // ACCESS_BUCKET_MS=2000, ACCESS_MIN_OWN_INTENTS=40, ACCESS_MIN_COHORT_INTENTS=80).
    .option(
      '--no-data-access',
      'skip the service agent sweeping customer records and the one leaking slowly (issue #17)',
    )
    .option(
      '--data-access-grace <seconds>',
      'how long a data-access agent not quarantined yet may run past --duration (a loaded machine serves a slow leak slowly)',
      (v) => Number(v),
      240,
    )
    .option(
      '--rollout-grace <seconds>',
      'how long the pricing canary may run past --duration until its test decides (the run ends 3 s after it does)',
      (v) => Number(v),
      480,
    )
    .parse()
    .opts<Options>();
  // The demo's short-lived break-glass token (scripts/demo.sh), or any admin's.
  const operatorToken = required('AGENTOPS_TOKEN');
  const endpoints = endpointsFromEnv();
  const credentials = demoCredentials(process.env.AGENTOPS_STATE_DIR ?? '.local');
  const rnd = new Random(opts.seed);

  const catalog = generateCatalog(opts.seed);
  const customers = generateCustomers(opts.seed);
  await api('PUT', `${endpoints.guardrail}/v1/context/${TENANT}/catalog`, operatorToken, { items: catalog });
  const retailFacts: unknown = parse(readFileSync('policies/retail/fixtures/retail.yaml', 'utf8'));
  await api('PUT', `${endpoints.guardrail}/v1/context/${TENANT}/retail-facts`, operatorToken, retailFacts);
  const knowledge = await importKnowledge(
    endpoints,
    operatorToken,
    TENANT,
    simulationKnowledge(opts.seed, catalog, new Date()),
  );
  const shop: ShopState = {
    catalog,
    customers,
    prices: new Map(catalog.map((s) => [s.sku, s.price])),
    purchaseOrders: 0,
    messagesSent: 0,
  };

  const register = async (id: string, role: string, version: string) => {
    const { apiKey } = await api<{ apiKey: string }>('POST', `${endpoints.ingest}/v1/agents`, operatorToken, {
      id,
      tenantId: TENANT,
      name: id,
      role,
      version,
      region: 'eu-west',
      labels: { brand: 'maison-demo', owner: `${role}-team-lead` },
    });
    return new AgentOpsClient({
      baseUrl: endpoints.ingest,
      apiKey,
      maxWaitMs: 20_000,
      pollIntervalMs: 250,
      onWarning: () => undefined,
    });
  };
  const run = Date.now().toString(36);
  const clients = {
    shopper: await register(`shopper-${run}`, 'shopping', '2.3.0'),
    replenishment: await register(`replenishment-${run}`, 'replenishment', '1.8.1'),
    service: await register(`service-${run}`, 'service', '3.0.2'),
    pricing: await register(`pricing-${run}`, 'pricing', '2.3.9'),
    buggyPricing: await register(`pricing-rc-${run}`, 'pricing', '2.4.0-rc'),
  };
  await Promise.all(Object.values(clients).map((c) => c.listen()));

  const tally = new Tally();
  const grounding = new GroundingTally();
  const workingSet = catalog.filter((s) => !s.flagship && s.category === 'ready-to-wear').slice(0, 12);
  const agents: { agent: SimAgent; everyMs: number }[] = [
    { agent: personalShopper(clients.shopper, shop, tally, grounding), everyMs: 400 },
    { agent: replenishment(clients.replenishment, shop, tally), everyMs: 1200 },
    { agent: customerService(clients.service, shop, tally), everyMs: 900 },
    { agent: dynamicPricing(clients.pricing, shop, tally, workingSet), everyMs: 700 },
  ];

  const reviewer = new SimulatedReviewer(
    {
      escalationUrl: endpoints.escalation,
      // Two of the demo tenant's people sign in as any reviewer would (four-eyes needs two).
      tokens: await Promise.all([
        signIn(endpoints.console, REVIEWER, credentials[REVIEWER]!),
        signIn(endpoints.console, LEAD, credentials[LEAD]!),
      ]).then(([a, b]) => [a, b] as [string, string]),
      approveRate: opts.approveRate,
      delayMs: opts.reviewDelayMs,
    },
    rnd,
  );
  reviewer.start();

  const started = Date.now();
  const endAt = started + opts.duration * 1000;
  const bar = process.stdout.isTTY
    ? new SingleBar(
        { format: 'simulating [{bar}] {value}/{total}s | {intents} intents | {events}' },
        Presets.shades_classic,
      )
    : undefined;
  bar?.start(opts.duration, 0, { intents: 0, events: '' });
  const progress = setInterval(() => {
    const intents = [...tally.byType.values()].reduce((s, t) => s + t.intents, 0);
    const elapsed = Math.min(opts.duration, Math.round((Date.now() - started) / 1000));
    if (bar)
      bar.update(elapsed, { intents, events: tally.failureModes.map((f) => f.name).slice(-1)[0] ?? '' });
    else if (elapsed % 10 === 0) console.log(`simulating: ${elapsed}/${opts.duration}s, ${intents} intents`);
  }, 1000);

  const loops = agents.map(({ agent, everyMs }) => agentLoop(agent, everyMs, endAt, rnd));
  // The shop re-reads its stock and prices every 45 s (the stock limit is 60 s), as a feed would:
  // unchanged facts keep the knowledge version and their read times move, so stock never turns
  // stale mid-run. (Each re-read costs guardrail a parse, diff and compile of the whole document.)
  const reread = setInterval(() => {
    void importKnowledge(
      endpoints,
      operatorToken,
      TENANT,
      simulationKnowledge(opts.seed, catalog, new Date()),
    ).catch((e: Error) => console.error(`knowledge re-read failed: ${e.message}`));
  }, 45_000);
  // The canary of a subtly worse pricing release and the A/B of two service prompts, alongside;
  // the canary may run into --rollout-grace until its sequential test decides.
  let rollouts: RolloutScenarioReport | undefined;
  const rolloutRun = !opts.rollouts
    ? Promise.resolve()
    : runRolloutScenarios(
        {
          endpoints,
          token: operatorToken,
          run,
          tenant: TENANT,
          canaryTenant: OUTLET,
          catalog,
          customers,
          retailFacts,
          rnd: new Random(opts.seed + 15),
          graceMs: opts.rolloutGrace * 1000,
          log: (line) => bar === undefined && console.log(`simulating: ${line}`),
        },
        endAt,
      ).then((r) => {
        rollouts = r;
        tally.failureModes.push(canaryFailureMode(r));
      });
  // A service agent sweeping customer records and another leaking slowly, watched by access.
  let dataAccess: DataAccessScenarioReport | undefined;
  const dataAccessRun = !opts.dataAccess
    ? Promise.resolve()
    : runDataAccessScenarios(
        {
          endpoints,
          token: operatorToken,
          run,
          tenant: TENANT,
          rnd: new Random(opts.seed + 17),
          log: (line) => bar === undefined && console.log(`simulating: ${line}`),
        },
        { startAt: started, endAt, graceMs: opts.dataAccessGrace * 1000, intentsPerSecond: 1.5 },
      ).then(
        (r) => void (dataAccess = r),
        (e: Error) => console.error(`data-access section left out: ${e.message}`),
      );
  const injections = FAILURE_MODES.map(async (mode) => {
    await sleep(mode.at * opts.duration * 1000);
    const proposed: { intentId: string; executed: boolean }[] = [];
    const result = await failureModeIntents.run(proposed, () => mode.run({ shop, tally, clients, rnd }));
    const example = proposed.find((p) => !p.executed) ?? proposed[0];
    tally.failureModes.push({ ...result, intentId: example?.intentId });
  });
  await Promise.all([...loops, ...injections, rolloutRun, dataAccessRun]);
  clearInterval(progress);
  clearInterval(reread);
  bar?.update(opts.duration);
  bar?.stop();
  reviewer.stop();
  Object.values(clients).forEach((c) => c.close());

  const report = await collect(endpoints, operatorToken, tally, run, opts, started, reviewer);
  report.grounding = await groundingSummary(
    endpoints,
    operatorToken,
    grounding,
    knowledge,
    `shopper-${run}`,
  ).catch((e: Error) => {
    console.error(`grounding section left out: ${e.message}`);
    return undefined;
  });
  report.rollouts = rollouts;
  report.dataAccess = dataAccess;
  printReport(report);
  writeHtmlReport(report, opts.html);
  console.log(`\nHTML report: ${opts.html}`);
  const uncontained = report.failureModes.filter((f) => !f.contained);
  if (uncontained.length) {
    console.error(`NOT contained: ${uncontained.map((f) => f.name).join(', ')}`);
    process.exitCode = 1;
  }
}

/** The canary as a failure mode: a subtly worse release is contained when it is rolled back by itself. */
function canaryFailureMode(r: RolloutScenarioReport): FailureModeResult {
  const c = r.canary;
  const rb = c?.rollback;
  return {
    name: 'subtly worse pricing release',
    description: `dynamic pricing 2.4.0 on a canary of ${OUTLET}'s SKUs denies 12 % of its prices instead of 5 %`,
    contained: rb !== undefined && rb.actor === 'analysis',
    how: rb
      ? `rolled back by the rollout analysis ${rb.secondsAfterStart.toFixed(1)} s after its traffic started, after ${rb.intents} counted intents; its later intents refused (${c!.candidateAfterRollback.refused}/${c!.candidateAfterRollback.proposed})`
      : `not rolled back (${c ? `status ${c.status}` : (r.problems[0] ?? 'no canary')})`,
    by: rb ? `rollout ${c!.key}${rb.killSwitchId ? `, kill switch ${rb.killSwitchId}` : ''}` : '—',
  };
}

async function agentLoop(agent: SimAgent, everyMs: number, endAt: number, rnd: Random): Promise<void> {
  while (Date.now() < endAt) {
    const t = Date.now();
    await agent.act(rnd);
    // Each decision took a model call: report it (model, latency, cost), as a real agent would.
    if (rnd.chance(0.5)) {
      await agent.client
        .recordTelemetry({
          kind: 'model_call',
          name: 'planner-llm',
          durationMs: rnd.int(300, 2400),
          costUsd: rnd.int(1, 40) / 1000,
          attributes: { agentType: agent.type },
        })
        .catch(() => undefined);
    }
    await sleep(Math.max(0, everyMs * (0.6 + rnd.next() * 0.8) - (Date.now() - t)));
  }
}

async function collect(
  endpoints: Endpoints,
  token: string,
  tally: Tally,
  run: string,
  opts: Options,
  started: number,
  reviewer: SimulatedReviewer,
): Promise<SimulationReport> {
  // Give the audit trail a moment to catch up with the last decisions.
  await sleep(2000);
  const agentIds: Record<AgentType, string[]> = {
    'personal shopper': [`shopper-${run}`],
    replenishment: [`replenishment-${run}`],
    'customer service': [`service-${run}`],
    'dynamic pricing': [`pricing-${run}`, `pricing-rc-${run}`],
  };
  const byType = new Map<string, SimulationReport['byType'] extends Map<string, infer V> ? V : never>();
  for (const [type, t] of tally.byType) {
    let auditRecords = 0;
    for (const agentId of agentIds[type]) auditRecords += await countRecords(endpoints, token, { agentId });
    byType.set(type, { ...t, auditRecords });
  }
  const history = await api<{
    history?: {
      switchId: string;
      actor: string;
      reason: string;
      changedAt?: string;
      at?: string;
      state?: string;
    }[];
  }>('GET', `${endpoints.killswitch}/v1/killswitches/history`, token).catch(() => ({ history: [] }));
  const breakerTrips = (history.history ?? [])
    .filter(
      (h) =>
        h.actor?.startsWith('breaker:') &&
        (h.state ?? 'active') === 'active' &&
        Date.parse(h.changedAt ?? h.at ?? '') >= started,
    )
    .map((h) => ({
      name: h.actor.slice('breaker:'.length),
      switchId: h.switchId,
      at: h.changedAt ?? h.at ?? '',
      reason: h.reason,
    }));
  const verified = await api<{ records: { payload: { violation?: boolean } }[] }>(
    'GET',
    `${endpoints.audit}/v1/audit/records?type=agentops.outcome.verified.v1&tenantId=maison-demo&limit=1000`,
    token,
  ).catch(() => ({ records: [] }));
  const stats = await api<{ records: number }>('GET', `${endpoints.audit}/v1/audit/stats`, token).catch(
    () => ({ records: 0 }),
  );
  const auditVerification = await api<VerifyReport>('GET', `${endpoints.audit}/v1/audit/verify`, token).then(
    (report) => ({ ok: report.ok, detail: verificationSummary(report) }),
    (e: Error) => ({ ok: false, detail: `could not verify: ${e.message}` }),
  );
  // Each failure mode's example intent → its trace (the decision's span is in the trace store).
  const failureModes = await Promise.all(
    tally.failureModes.map(async (f) => {
      if (!f.intentId) return f;
      const found = await api<{ traces: { traceId: string }[] }>(
        'GET',
        `${endpoints.ingest}/v1/traces?intentId=${f.intentId}`,
        token,
      ).catch(() => ({ traces: [] }));
      return { ...f, traceId: found.traces[0]?.traceId };
    }),
  );
  const shown = failureModes.find((f) => f.traceId);
  const exampleTrace = shown
    ? await api<{ spans: ExampleSpan[] }>(
        'GET',
        `${endpoints.ingest}/v1/traces/${shown.traceId}`,
        token,
      ).then(
        (t) => ({ failureMode: shown.name, traceId: shown.traceId!, spans: t.spans }),
        () => undefined,
      )
    : undefined;
  return {
    seconds: (Date.now() - started) / 1000,
    seed: opts.seed,
    byType,
    failureModes,
    exampleTrace,
    consoleUrl: endpoints.console,
    breakerTrips,
    verificationViolations: verified.records.filter((r) => r.payload?.violation === true).length,
    auditRecords: stats.records,
    auditVerification,
    reviewer: reviewer.stats,
  };
}

async function countRecords(
  endpoints: Endpoints,
  token: string,
  filter: Record<string, string>,
): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const qs = new URLSearchParams({ ...filter, limit: '1000', ...(cursor ? { cursor } : {}) });
    const page = await api<{ records: unknown[]; nextCursor?: string }>(
      'GET',
      `${endpoints.audit}/v1/audit/records?${qs}`,
      token,
    ).catch(() => ({ records: [], nextCursor: undefined }));
    total += page.records.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return total;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().catch((error: Error) => {
  console.error(`simulation failed: ${error.message}`);
  process.exit(1);
});
