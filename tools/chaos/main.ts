import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import { AgentOpsClient, Intent } from '@agentops/sdk';
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { DEMO_TENANT, demoCatalog } from '../db/demo-data';
import { seedDemo } from '../db/seed';
import { recordReliability } from '../reliability/summary';
import { faultPlan } from './faults';
import { SteadyLoad } from './load';
import { LocalStack, sleep } from './local-stack';
import { resultsMarkdown, writeResultsSection } from './report';
import { ScenarioResult, runScenario } from './scenario';
import { runSoak } from './soak';
import { TcpProxy } from './tcp-proxy';

/**
 * npm run chaos: the platform as OS processes on a stack of its own, steady load through the SDK,
 * and one fault at a time; after each, the stores are checked for every accepted intent
 * (docs/reliability.md). `--soak`: the long run at half the measured maximum instead.
 * Started by scripts/chaos.sh, which brings the private datastores and Kafka up first.
 */
interface Options {
  rate: number;
  agents: number;
  outage: number;
  latency: number;
  rebalanceHold: number;
  baseline: number;
  observeMax: number;
  settleMax: number;
  healthyLatency: number;
  maxWait: number;
  faults?: string;
  write: boolean;
  keep: boolean;
  soak: boolean;
  minutes: number;
  soakRate?: number;
  samples?: string;
}

const ROOT = resolve(__dirname, '../../..');

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through scripts/chaos.sh: npm run chaos)`);
  return v;
}

/** The SKUs the load recommends, from the demo catalog the run imports. */
const SKUS = demoCatalog.map((item) => item.sku);

/**
 * An intent policy decides at once. No customer records in `dataUsed`: retail.data.customer-records
 * sends an agent to review past 200 records an hour (and denies past 1,000), so a steady load of
 * reads escalated nearly every intent within minutes, and an escalated intent waits for a human —
 * its agent's answer after `maxWaitMs` is the same fail-closed deny as a broken platform's.
 */
function recommendation(n: number): Intent {
  const customer = `cust-${1000 + (n % 500)}`;
  return {
    action: 'shopping.recommend',
    target: { type: 'customer', id: customer },
    params: { sku: SKUS[n % SKUS.length], message: 'This pairs well with your last purchase.' },
    confidence: 0.8,
    justification: 'purchase history and browsing',
    dataUsed: [],
  };
}

/** The run's agents (registered again on every run: a new key each time). */
async function registerAgents(adminUrl: string, count: number): Promise<string[]> {
  const ingest = new DataSource(
    serviceDataSourceOptions({ ...ingestDatabase(), url: adminUrl, applicationName: 'agentops-chaos' }),
  );
  await ingest.initialize();
  try {
    const registry = AgentRegistry.of(ingest);
    const keys: string[] = [];
    for (let i = 1; i <= count; i++) {
      const { apiKey } = await registry.register({
        id: `chaos-shopper-${String(i).padStart(2, '0')}`,
        tenantId: DEMO_TENANT,
        name: `Chaos load shopper ${i}`,
        role: 'shopping',
        version: '1.0.0',
        region: 'eu-west',
        labels: { brand: 'maison-demo', channel: 'chaos' },
        ownerTeam: 'clienteling',
      });
      keys.push(apiKey);
    }
    return keys;
  } finally {
    await ingest.destroy();
  }
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const log = (line: string) => console.log(`chaos ${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<void> {
  const num = (v: string) => Number(v);
  const opts = new Command()
    .option('--rate <n>', 'proposals per second (the issue asks 200; mind the cores you have)', num, 200)
    .option('--agents <n>', 'SDK agents sharing the load', num, 20)
    .option('--outage <s>', 'how long PostgreSQL, Redis, a broker node and the proxy faults stay on', num, 30)
    .option('--latency <ms>', 'latency the proxy adds to Kafka traffic, each way', num, 200)
    .option('--rebalance-hold <s>', 'how long the added instances run before they are removed', num, 20)
    .option('--baseline <s>', 'steady load before each fault', num, 10)
    .option('--observe-max <s>', 'longest wait for healthy answers after a fault', num, 120)
    .option(
      '--settle-max <s>',
      'longest wait for the stores to catch up before a missing record counts as lost',
      num,
      120,
    )
    .option('--healthy-latency <ms>', 'an answer slower than this is not healthy yet', num, 2000)
    .option('--max-wait <ms>', "the SDK's wait for a decision (maxWaitMs)", num, 5000)
    .option(
      '--faults <ids>',
      'only these faults, comma-separated (kill-<service>, broker, postgres, redis, latency, partition, rebalance)',
    )
    .option('--no-write', 'do not write docs/reliability.json and docs/reliability.md')
    .option('--keep', 'leave the platform running afterwards', false)
    .option('--soak', 'the soak run (issue #19 item 6) instead of the faults', false)
    .option('--minutes <n>', 'soak length', num, 30)
    .option('--soak-rate <n>', 'soak at this rate instead of half the measured maximum', num)
    .option(
      '--samples <file>',
      "append every scenario's answers to this file (JSON lines: fault, its window, each answer) to study a recovery",
    )
    .parse()
    .opts<Options>();

  const pgPort = Number(env('PGPORT'));
  const redisUrl = env('REDIS_URL');
  const redisPort = Number(new URL(redisUrl).port || 6379);
  if (pgPort === 5432 || redisPort === 6379) {
    throw new Error(
      'refusing to run chaos on the shared PostgreSQL (5432) or Redis (6379): scripts/chaos.sh gives the run its own',
    );
  }
  const adminUrl = `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:${pgPort}/${env('PGDATABASE')}`;
  const brokerCount = Number(process.env.KAFKA_BROKER_COUNT ?? 1) === 3 ? 3 : 1;
  const proxyPort = process.env.KAFKA_PROXY_PORT;
  const proxy =
    brokerCount === 1 && proxyPort
      ? new TcpProxy(Number(proxyPort), { host: '127.0.0.1', port: Number(env('KAFKA_PROXIED_PORT')) })
      : undefined;
  const stack = new LocalStack({
    root: ROOT,
    stateDir: env('AGENTOPS_STATE_DIR'),
    serviceBrokers: proxy ? `127.0.0.1:${proxyPort}` : env('KAFKA_BROKERS'),
    brokerCount,
    pg: { version: process.env.CHAOS_PG_VERSION ?? '15', cluster: env('PG_CLUSTER'), port: pgPort },
    redisPort,
  });

  const startedAt = Date.now();
  const loadBefore = loadAverage();
  await proxy?.start();
  log(
    `starting the platform (${proxy ? `services talk to Kafka through the proxy on :${proxyPort}` : 'services talk to Kafka directly'})`,
  );
  let load: SteadyLoad | undefined;
  try {
    // Inside the try: a platform that fails to start is stopped again, not left running.
    await stack.stopPlatform();
    await stack.startPlatform();
    const token = (
      await stack.run('bash', [
        'scripts/platform.sh',
        'operator-token',
        '--reason',
        'npm run chaos: policies for the load',
        '--ttl',
        '15m',
      ])
    ).trim();
    const cli = (...args: string[]) =>
      stack.run('node', ['dist/tools/cli/agentops.js', ...args], {
        AGENTOPS_TOKEN: token,
      });
    await cli('policy', 'apply', 'policies/retail', '--baseline');
    await cli('policy', 'apply', 'policies/tenants/maison-demo', '--tenant', DEMO_TENANT);
    await seedDemo(adminUrl);
    await cli('context', 'import', 'policies/retail/fixtures', '--tenant', DEMO_TENANT);
    const keys = await registerAgents(adminUrl, opts.agents);
    const clients = keys.map(
      (apiKey) =>
        new AgentOpsClient({
          baseUrl: env('INGEST_URL'),
          apiKey,
          maxWaitMs: opts.maxWait,
          onWarning: () => undefined,
        }),
    );
    load = new SteadyLoad(clients, opts.rate, recommendation, opts.maxWait);

    if (opts.soak) {
      await runSoak(stack, clients, recommendation, {
        minutes: opts.minutes,
        rate: opts.soakRate,
        maxWaitMs: opts.maxWait,
        healthyLatencyMs: opts.healthyLatency,
        brokers: env('KAFKA_BROKERS').split(','),
        write: opts.write ? resolve(ROOT, 'docs/reliability.md') : undefined,
        log,
      });
      return;
    }

    log(`warming up: ${opts.rate}/s for 10 s`);
    load.start();
    await sleep(10_000);
    await load.stop();

    const wanted = opts.faults?.split(',').map((f) => f.trim());
    const plan = faultPlan(stack, proxy, {
      outageMs: opts.outage * 1000,
      latencyMs: opts.latency,
      rebalanceHoldMs: opts.rebalanceHold * 1000,
    }).filter((f) => !wanted || wanted.includes(f.id));
    const results: ScenarioResult[] = [];
    const writeResults = (done: ScenarioResult[], final: boolean) => {
      const facts = {
        date: new Date().toISOString(),
        commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
        ratePerSec: opts.rate,
        agents: opts.agents,
        brokers: brokerCount,
        loadBefore,
        loadAfter: loadAverage(),
        minutes: Math.round((Date.now() - startedAt) / 6000) / 10,
      };
      const markdown = resultsMarkdown(done, facts);
      if (final) console.log(`\n${markdown}\n`);
      if (!opts.write) return;
      recordReliability({ scenarios: done.map((r) => r.row) }, resolve(ROOT, 'docs/reliability.json'));
      writeResultsSection(resolve(ROOT, 'docs/reliability.md'), markdown);
      log(`wrote docs/reliability.json and docs/reliability.md (${done.length} of ${plan.length} scenarios)`);
    };
    for (const fault of plan) {
      const result = await runScenario(
        fault,
        load,
        {
          baselineMs: opts.baseline * 1000,
          healthyLatencyMs: opts.healthyLatency,
          healthyStreakMs: 5000,
          observeMaxMs: opts.observeMax * 1000,
          settleMaxMs: opts.settleMax * 1000,
          adminDatabaseUrl: adminUrl,
        },
        log,
      );
      if (opts.samples) appendFileSync(opts.samples, `${JSON.stringify(result.timeline)}\n`);
      results.push(result);
      log(
        `${fault.name} (load ${loadAverage()}): ${JSON.stringify(result.row)} audit ${result.audit.ok ? 'verified' : 'FAILED'}${result.errors.length ? ` errors: ${result.errors.join('; ')}` : ''}`,
      );
      // After every scenario: a run that breaks off later still leaves the rows it has.
      writeResults(results, false);
      // The next fault starts from a whole platform.
      await stack.startPlatform().catch((e: Error) => log(`restart before the next fault: ${e.message}`));
    }
    writeResults(results, true);
    const failed = results.some(
      (r) =>
        r.row.lost > 0 ||
        r.row.duplicates > 0 ||
        !r.audit.ok ||
        r.row.recovery_s === null ||
        r.row.recovery_s > 30,
    );
    process.exitCode = failed ? 1 : 0;
  } finally {
    await load?.stop();
    if (!opts.keep) await stack.stopPlatform().catch(() => undefined);
    await proxy?.stop();
  }
}

main().catch((error: Error) => {
  console.error(`chaos: ${error.stack ?? error.message}`);
  process.exit(2);
});
