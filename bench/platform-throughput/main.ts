/**
 * Platform throughput (issue #14 item 7): the whole platform as separate OS processes (through
 * scripts/platform.sh), the retail pack as the baseline, agents speaking through the SDK over HTTP
 * (`POST /v1/intents?wait=true`), open loop at rising rates from a process of its own. Per step:
 * offered vs achieved intents/s, p50/p99 and fail-closed answers; then one agent alone; a quiet
 * single-intent p50; and, in the same run, the Kafka two-hop floor (bench/decision-latency's).
 * See docs/benchmarks.md § Platform throughput.
 *
 *   npm run bench:platform-throughput -- [--rates 25,50,100,250,500,1000,2000] [--step-seconds 15]
 *     [--agents 60] [--single-agent-rates 100,250,500] [--instances ingest=1,guardrail=1]
 *     [--cpu-prof ingest] [--no-write] [--json]
 *
 * Writes docs/bench/decision-path.json and docs/bench/platform-throughput.svg unless `--no-write`.
 */
import { type Intent } from '@agentops/sdk';
import { AgentOpsClient } from '@agentops/sdk';
import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { caseIntent, loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';
import { KafkaFloor } from '../decision-latency/kafka-floor';
import { IntentLoadResult, startIntentLoad } from '../shared/intent-load';
import { prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { LocalPlatform, PlatformService, startLocalPlatform } from '../shared/local-platform';
import { round2, summarize } from '../shared/stats';
import { repositoryRoot, writeBenchSummary } from '../shared/summary';
import { ProfileSummary, ProfileWindow, profilesIn, summarizeProfile } from './cpu-profile';
import { CurvePoint, throughputCurveSvg } from './curve-svg';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const TENANT = 'maison-platbench';
const PACK = resolve(repositoryRoot, 'policies/retail');
/** The goals of issue #14: what "sustained" means (docs/benchmarks.md § Platform throughput). */
const SUSTAINED = { achievedRatio: 0.95, p99Ms: 50 };
/** The SDK's wait: ingest's own fail-closed deadline is the same 2 s. */
const MAX_WAIT_MS = 2000;
/** A step whose achieved rate falls below this share of the offered one ends the ascent. */
const GIVE_UP_RATIO = 0.8;

interface Options {
  rates: number[];
  singleAgentRates: number[];
  stepSeconds: number;
  agents: number;
  quietCount: number;
  floorCount: number;
  instances: Partial<Record<PlatformService, number>>;
  cpuProf?: PlatformService;
  write: boolean;
  json: boolean;
}

const USAGE = `usage: platform-throughput [--rates 25,50,100,250,500,1000,2000] [--step-seconds 15] [--agents 60]
  [--single-agent-rates 100,250,500] [--quiet-count 200] [--floor-count 1000]
  [--instances ingest=1,guardrail=1] [--cpu-prof <service>] [--no-write] [--json]`;

function rates(name: string, raw: string): number[] {
  const list = raw.split(',').map(Number);
  if (!list.length || list.some((r) => !Number.isInteger(r) || r < 1))
    throw new Error(`--${name}: a comma-separated list of positive integers (got ${raw})`);
  return [...list].sort((a, b) => a - b);
}

function positive(name: string, raw: string): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: a positive integer (got ${raw})`);
  return v;
}

function parseOptions(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      rates: { type: 'string', default: '25,50,100,250,500,1000,2000' },
      'single-agent-rates': { type: 'string', default: '100,250,500' },
      'step-seconds': { type: 'string', default: '15' },
      agents: { type: 'string', default: '60' },
      'quiet-count': { type: 'string', default: '200' },
      'floor-count': { type: 'string', default: '1000' },
      instances: { type: 'string', default: '' },
      'cpu-prof': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const instances: Options['instances'] = {};
  for (const pair of (v.instances ?? '').split(',').filter(Boolean)) {
    const [s, n] = pair.split('=');
    instances[s as PlatformService] = positive('instances', n ?? '');
  }
  return {
    rates: rates('rates', v.rates!),
    singleAgentRates: rates('single-agent-rates', v['single-agent-rates']!),
    stepSeconds: positive('step-seconds', v['step-seconds']!),
    agents: positive('agents', v.agents!),
    quietCount: positive('quiet-count', v['quiet-count']!),
    floorCount: positive('floor-count', v['floor-count']!),
    instances,
    cpuProf: v['cpu-prof'] as PlatformService | undefined,
    write: !v['no-write'],
    json: v.json!,
  };
}

/** Frames whose total time (self + callees) the profile summary reports: the suspects of item 3. */
const PROFILED_FRAMES = [
  /^propose$/, // IntentsController.propose: the whole request once routed
  /^submit$/, // IntentSubmission.submit
  /^(_parse|safeParse|parse|parseAsync)$/, // zod
  /^publish$/, // EventPublisher.publish
  /^claim$/, // the Idempotency-Key's Redis claim
  /^(handleRequest|canActivate)$/, // Nest routing, the agent auth guard
  /^(stringify|canonicalize)$/,
];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

const log = (line: string) => process.stderr.write(`platform-throughput: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => round2(loadavg()[0]);

/** One step of open-loop load: what was offered and what the agents were answered. */
export interface StepRow {
  agents: number;
  offered: number;
  sent: number;
  achieved: number;
  p50Ms: number;
  p99Ms: number;
  failClosed: number;
  escalated: number;
  errors: number;
  unanswered: number;
  saturated: boolean;
  sustained: boolean;
  loadAvg1m: number;
  /** CPU ms each instance used per intent sent during the step. */
  cpuMsPerIntent: Record<string, number>;
}

/** Sustained: achieved ≥ 95 % of offered, p99 ≤ 50 ms, no fail-closed answer, nothing lost. */
export function isSustained(r: Omit<StepRow, 'sustained'>): boolean {
  return (
    !r.saturated &&
    r.achieved >= SUSTAINED.achievedRatio * r.offered &&
    r.p99Ms <= SUSTAINED.p99Ms &&
    r.failClosed === 0 &&
    r.errors === 0 &&
    r.unanswered === 0
  );
}

/**
 * The retail fixtures' intents an agent of each role sends: the cases the pack decides on its own
 * (no escalation to a human expected, no other role's agent, no knowledge base needed). The pack's
 * rolling-window counters exist to stop a runaway agent, and an agent repeating the fixtures at tens
 * per second for minutes is one: price cuts (race-to-the-bottom, discount value) and store credits
 * escalate to a human once their windows fill, which would measure the review path, not the
 * decision path. So price changes at or above the catalog price and no store credits; every policy
 * of the pack is still evaluated on every intent, and escalations that remain are counted.
 */
function retailMix(): Map<string, Intent[]> {
  const suite = loadFixtures(PACK);
  const byRole = new Map<string, { intent: Intent; denied: boolean }[]>();
  const windowFree = (action: string, params: Record<string, unknown>) => {
    if (action === 'service.issue_store_credit') return false;
    if (action !== 'pricing.set_price') return true;
    const listed = suite.catalog.get(String(params.sku))?.price;
    return typeof params.price !== 'number' || listed === undefined || params.price >= listed;
  };
  for (const c of suite.cases) {
    if (c.agent || c.expect.verdict === 'escalate' || c.file.includes('knowledge')) continue;
    const { agent, intent } = caseIntent(c);
    if (agent.role === 'other' || !windowFree(intent.action, intent.params)) continue;
    const list = byRole.get(agent.role) ?? [];
    list.push({
      intent: { ...intent, confidence: intent.confidence ?? 0.9, dataUsed: [] } as Intent,
      denied: c.expect.verdict === 'deny',
    });
    byRole.set(agent.role, list);
  }
  return new Map([...byRole].map(([role, list]) => [role, belowDenyBreaker(list)]));
}

/**
 * At most this share of an agent's intents is denied. The platform's `agent-deny-rate` breaker
 * (policies/breakers/deny-rate.yaml: more than 0.6 of at least 20 intents within 5 min) halts an
 * agent whose intents are mostly denied, and from then on the kill switch answers in ingest: a
 * pricing agent repeating its fixtures (3 denies of 4) tripped it within the quiet phase, which then
 * measured the refusal path, not the decision path.
 */
const MAX_DENY_SHARE = 0.4;

/** A role's fixtures with its allowed and modified ones repeated, the denies spread evenly among them. */
function belowDenyBreaker(list: { intent: Intent; denied: boolean }[]): Intent[] {
  const denies = list.filter((x) => x.denied).map((x) => x.intent);
  const others = list.filter((x) => !x.denied).map((x) => x.intent);
  if (denies.length === 0 || others.length === 0) return list.map((x) => x.intent);
  const needed = Math.max(others.length, Math.ceil((denies.length * (1 - MAX_DENY_SHARE)) / MAX_DENY_SHARE));
  const out: Intent[] = [];
  let placed = 0;
  for (let i = 0; i < needed; i++) {
    out.push(others[i % others.length]);
    // After the (i+1)-th other intent, as many denies as keep the running share even.
    while (placed < Math.floor(((i + 1) * denies.length) / needed)) out.push(denies[placed++]);
  }
  return out;
}

interface Agents {
  keys: string[];
  intents: Intent[][];
}

async function registerAgents(url: string, count: number, mix: Map<string, Intent[]>): Promise<Agents> {
  const ds = new DataSource(
    serviceDataSourceOptions({ ...ingestDatabase(), url, applicationName: 'platbench' }),
  );
  await ds.initialize();
  try {
    const registry = AgentRegistry.of(ds);
    const run = Date.now().toString(36);
    const roles = [...mix.keys()];
    const agents: Agents = { keys: [], intents: [] };
    for (let i = 0; i < count; i++) {
      const role = roles[i % roles.length];
      const { apiKey } = await registry.register({
        id: `${role}-platbench-${run}-${i}`,
        tenantId: TENANT,
        name: `platbench ${role} ${i}`,
        role: role as 'pricing',
        version: '1.0.0',
        region: 'eu-west',
      });
      agents.keys.push(apiKey);
      agents.intents.push(mix.get(role)!);
    }
    return agents;
  } finally {
    await ds.destroy();
  }
}

/** The retail pack as the platform baseline, its catalog and retail facts for the bench tenant. */
async function applyRetailPack(platform: LocalPlatform): Promise<void> {
  const token = await platform.operatorToken('bench platform-throughput: retail pack and context');
  const guardrail = platform.urls('guardrail')[0];
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${guardrail}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  };
  await call('POST', '/v1/policies/sets', { files: loadPolicySources(PACK) });
  const fixture = (name: string) => parse(readFileSync(join(PACK, 'fixtures', name), 'utf8')) as unknown;
  await call('PUT', `/v1/context/${TENANT}/catalog`, fixture('catalog.yaml'));
  await call('PUT', `/v1/context/${TENANT}/retail-facts`, fixture('retail.yaml'));
}

/** Resident memory of every instance, in MB, from /proc (Linux). */
function residentMb(pids: Record<string, number>): Record<string, number> {
  const rss: Record<string, number> = {};
  for (const [instance, pid] of Object.entries(pids)) {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb) rss[instance] = Math.round(Number(kb) / 1024);
    } catch {
      // gone, or not Linux: not reported
    }
  }
  return rss;
}

/** CPU seconds each instance has used so far (user + system), from /proc (Linux; 100 ticks/s). */
function cpuSeconds(pids: Record<string, number>): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [instance, pid] of Object.entries(pids)) {
    try {
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      used[instance] = (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // gone, or not Linux: not reported
    }
  }
  return used;
}

/** One step, bounded: it ends after `seconds`, or at once when the load saturates. */
async function step(
  platform: LocalPlatform,
  agents: Agents,
  rate: number,
  seconds: number,
): Promise<StepRow> {
  const pids = platform.pids();
  const cpuBefore = cpuSeconds(pids);
  const load = startIntentLoad({
    urls: platform.urls('ingest'),
    apiKeys: agents.keys,
    rate,
    // Half a second's worth of requests in flight means p50 near 500 ms: far past saturation.
    maxInFlight: Math.max(50, Math.ceil(rate / 2)),
    decide: { intents: agents.intents, maxWaitMs: MAX_WAIT_MS, stopWhenSaturated: true },
  });
  const loadAvg1m = await Promise.race([sleep(seconds * 1000).then(load1), load.result.then(load1)]);
  // The load drains within its own bound (the SDK's wait + a grace); past that, it is hung.
  const r: IntentLoadResult = await Promise.race([
    load.stop(),
    sleep(MAX_WAIT_MS + 15_000).then(() => {
      throw new Error(`the ${rate}/s load did not report within ${MAX_WAIT_MS + 15_000} ms of its stop`);
    }),
  ]);
  const d = r.decisions!;
  const cpuAfter = cpuSeconds(pids);
  // What each service spent per intent sent: where the machine's two cores went.
  const cpuMsPerIntent = Object.fromEntries(
    Object.entries(cpuAfter).map(([i, s]) => [
      i,
      round2(((s - (cpuBefore[i] ?? 0)) * 1000) / Math.max(1, r.sent)),
    ]),
  );
  const row = {
    agents: agents.keys.length,
    offered: rate,
    sent: r.sent,
    achieved: d.decidedPerSecond,
    p50Ms: round2(d.latencyMs.p50),
    p99Ms: round2(d.latencyMs.p99),
    failClosed: d.failClosed,
    escalated: d.escalated,
    errors: r.errors,
    unanswered: d.unanswered,
    saturated: d.saturated,
    loadAvg1m,
    cpuMsPerIntent,
  };
  const out = { ...row, sustained: isSustained(row) };
  const errorKinds = Object.entries(r.statuses).filter(([k]) => k.startsWith('error'));
  log(
    `${rate}/s × ${seconds} s, ${out.agents} agent(s): achieved ${out.achieved}/s, p50 ${out.p50Ms} ms, p99 ${out.p99Ms} ms, ` +
      `fail-closed ${out.failClosed}, escalated ${out.escalated}, halted by a kill switch ${d.halted}, verdicts ${JSON.stringify(d.verdicts)}, errors ${out.errors}${errorKinds.length ? ` ${JSON.stringify(Object.fromEntries(errorKinds))}` : ''}` +
      `${out.saturated ? `, saturated after ${d.sendingSeconds} s` : ''}${out.sustained ? ' — sustained' : ''} (load ${loadAvg1m})`,
  );
  log(`  CPU ms per intent: ${JSON.stringify(cpuMsPerIntent)}`);
  return out;
}

/** Rising rates until one saturates or falls well short of what was offered. */
async function ascend(
  platform: LocalPlatform,
  agents: Agents,
  list: number[],
  seconds: number,
): Promise<StepRow[]> {
  const rows: StepRow[] = [];
  for (const rate of list) {
    const row = await step(platform, agents, rate, seconds);
    rows.push(row);
    if (row.saturated || row.achieved < GIVE_UP_RATIO * rate) {
      log(`stopping the ascent at ${rate}/s (saturated)`);
      break;
    }
    await sleep(2000); // the queues drain between steps
  }
  return rows;
}

/** One intent at a time on an idle platform: the latency nothing queues behind. */
async function quietLatency(platform: LocalPlatform, agents: Agents, count: number): Promise<number[]> {
  const client = new AgentOpsClient({
    baseUrl: platform.urls('ingest')[0],
    apiKey: agents.keys[0],
    maxWaitMs: MAX_WAIT_MS,
    attempts: 1,
  });
  const samples: number[] = [];
  let halted = 0;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const d = await client.propose(agents.intents[0][i % agents.intents[0].length]);
    // A kill switch's answer never reaches guardrail: not the decision path's latency.
    if (d.decidedBy === 'killswitch' || d.decidedBy === 'breaker') halted++;
    else if (d.decidedBy !== 'timeout') samples.push(performance.now() - t0);
    await sleep(20);
  }
  if (halted) log(`quiet single intent: ${halted} of ${count} answered by a kill switch, left out`);
  return samples;
}

/** The two bare Kafka hops at a light rate, from bench/decision-latency (no copy). */
async function kafkaFloorP50(count: number, keys: number): Promise<number> {
  // Next to the platform's own database: two runs on one PostgreSQL (BENCH_DATABASE) stay apart.
  const database = `${process.env.BENCH_DATABASE ?? 'agentops_platbench'}_floor`;
  const stack = await prepareIsolatedStack({ name: 'platbench', database });
  try {
    const floor = await KafkaFloor.start(stack, keys);
    try {
      await floor.run({ count: 100, ratePerSec: 100 }, 0);
      const result = await floor.run({ count, ratePerSec: 100 }, 100);
      return summarize(result.samples.filter((s) => s.outcome.ok).map((s) => s.latencyMs)).p50;
    } finally {
      await floor.stop();
    }
  } finally {
    await teardownIsolatedStack(stack);
  }
}

const sustainedOf = (rows: StepRow[]) =>
  rows.filter((r) => r.sustained).sort((a, b) => b.offered - a.offered)[0];

function table(title: string, rows: StepRow[]): string {
  return [
    title,
    '| agents | offered/s | achieved/s | p50 ms | p99 ms | fail-closed | escalated | errors | saturated | sustained | load 1m |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | :-- | :-- | --: |',
    ...rows.map(
      (r) =>
        `| ${r.agents} | ${r.offered} | ${r.achieved} | ${r.p50Ms} | ${r.p99Ms} | ${r.failClosed} | ${r.escalated} | ${r.errors + r.unanswered} | ${r.saturated ? 'yes' : ''} | ${r.sustained ? 'yes' : ''} | ${r.loadAvg1m} |`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`platform-throughput: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const startedAt = new Date().toISOString();
  const loadBefore = load1();
  log(`Kafka two-hop floor first, on a quiet machine (load ${loadBefore})`);
  const floorP50 = await kafkaFloorP50(opts.floorCount, opts.agents);
  log(`floor p50 ${round2(floorP50)} ms`);

  const profileDir = opts.cpuProf ? mkdtempSync(join(tmpdir(), 'platbench-prof-')) : undefined;
  const platform = await startLocalPlatform({
    database: process.env.BENCH_DATABASE ?? 'agentops_platbench',
    portBase: Number(process.env.AGENTOPS_PORT_BASE ?? 3500),
    instances: opts.instances,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    nodeArgs: opts.cpuProf ? { [opts.cpuProf]: `--cpu-prof --cpu-prof-dir=${profileDir}` } : undefined,
  });
  let rss: Record<string, number> = {};
  let loadSteps: StepRow[] = [];
  let singleSteps: StepRow[] = [];
  let quiet: number[] = [];
  // The profile is read over the rising-rate steps only: not the boot, not the single agent.
  let profileWindow: ProfileWindow | undefined;
  try {
    log(`platform up (${Object.keys(platform.pids()).join(', ')}); applying the retail pack`);
    await applyRetailPack(platform);
    const mix = retailMix();
    const agents = await registerAgents(platform.adminDatabaseUrl, opts.agents, mix);
    const pricing = [...mix.keys()].indexOf('pricing');
    const single: Agents = { keys: [agents.keys[pricing]], intents: [agents.intents[pricing]] };
    log(
      `${opts.agents} agents registered (${[...mix].map(([r, l]) => `${r}: ${l.length} intents`).join(', ')})`,
    );
    await sleep(3000);
    rss = residentMb(platform.pids());
    log(`idle RSS (MB): ${JSON.stringify(rss)}`);
    quiet = await quietLatency(platform, single, opts.quietCount);
    log(`quiet single intent: p50 ${round2(summarize(quiet).p50)} ms over ${quiet.length}`);
    log('warm-up step (not counted)');
    await step(platform, agents, opts.rates[0], Math.min(5, opts.stepSeconds));
    const loadFrom = monotonicUs();
    loadSteps = await ascend(platform, agents, opts.rates, opts.stepSeconds);
    profileWindow = { fromUs: loadFrom, toUs: monotonicUs() };
    singleSteps = await ascend(platform, single, opts.singleAgentRates, opts.stepSeconds);
  } finally {
    log('stopping the platform');
    await platform.stop().catch((e: Error) => log(`stop: ${e.message}`));
  }

  let profiles: ProfileSummary[] = [];
  if (profileDir) {
    profiles = profilesIn(profileDir).map((f) => summarizeProfile(f, PROFILED_FRAMES, profileWindow));
    for (const p of profiles) {
      log(`profile ${p.file}: ${p.sampledMs} ms sampled, ${p.busyPercent} % busy`);
      for (const e of p.topFunctions) log(`  ${e.percent.toFixed(1).padStart(5)} %  ${e.name}`);
      log('  by module:');
      for (const e of p.byModule) log(`  ${e.percent.toFixed(1).padStart(5)} %  ${e.name}`);
      log('  inclusive:');
      for (const e of p.inclusive) log(`  ${e.percent.toFixed(1).padStart(5)} %  ${e.name}`);
    }
  }

  const best = sustainedOf(loadSteps);
  const bestSingle = sustainedOf(singleSteps);
  const quietP50 = summarize(quiet).p50;
  const fields = {
    sustained_intents_per_s: best?.achieved ?? 0,
    sustained_p99_ms: best?.p99Ms ?? null,
    fail_closed: loadSteps.reduce((n, r) => n + r.failClosed, 0),
    single_agent_intents_per_s: bestSingle?.achieved ?? 0,
    quiet_p50_ms: round2(quietP50),
    floor_p50_ms: round2(floorP50),
  };
  const machine = {
    cpus: cpus().length,
    node: process.version,
    loadAvg1m: { before: loadBefore, after: load1() },
  };
  process.stdout.write(
    [
      '',
      table(`Platform throughput — ${opts.agents} agents, retail pack, SDK over HTTP (wait=true)`, loadSteps),
      '',
      table('One agent (one partition)', singleSteps),
      '',
      `quiet single intent p50 ${fields.quiet_p50_ms} ms vs the Kafka two-hop floor's ${fields.floor_p50_ms} ms (ratio ${round2(quietP50 / floorP50)}; goal ≤ 2)`,
      `sustained (achieved ≥ 95 % of offered, p99 ≤ 50 ms, no fail-closed): ${fields.sustained_intents_per_s}/s (goal 2,000); one agent ${fields.single_agent_intents_per_s}/s (goal 500)`,
      `idle RSS MB: ${Object.entries(rss)
        .map(([s, mb]) => `${s} ${mb}`)
        .join(', ')} (goal ≤ 150 each)`,
      `load average ${machine.loadAvg1m.before} before, ${machine.loadAvg1m.after} after, on ${machine.cpus} cores (shared machine)`,
      '',
    ].join('\n'),
  );
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ startedAt, options: opts, machine, fields, loadSteps, singleSteps, rss, profiles })}\n`,
    );
  if (opts.write) {
    const written = writeBenchSummary('decision-path', fields, [
      'services',
      'libs',
      'bench/platform-throughput',
      'bench/shared',
      'scripts/platform.sh',
    ]);
    const points: CurvePoint[] = loadSteps.map((r) => ({ ...r }));
    mkdirSync(resolve(repositoryRoot, 'docs/bench'), { recursive: true });
    writeFileSync(
      resolve(repositoryRoot, 'docs/bench/platform-throughput.svg'),
      throughputCurveSvg(
        points,
        `Platform throughput, ${opts.agents} agents, retail pack (commit ${written.commit}, load ${machine.loadAvg1m.after} on ${machine.cpus} cores)`,
        SUSTAINED.p99Ms,
      ),
    );
    log('wrote docs/bench/decision-path.json and docs/bench/platform-throughput.svg');
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`platform-throughput: failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
