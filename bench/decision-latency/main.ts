/**
 * Decision-latency benchmark: how long an agent waits for a decision on `POST /v1/intents?wait=true`
 * (ingest → Kafka → guardrail → Kafka → ingest), next to the floor the same broker and client
 * settings allow for two bare Kafka hops. See docs/benchmarks.md.
 *
 *   npm run bench:decision-latency -- [--count 2000] [--rate 200] [--warmup 100] [--agents 1] [--json]
 */
import { cpus, loadavg } from 'node:os';
import { IsolatedStack, prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { runOpenLoop } from '../shared/open-loop';
import { bootDecisionPath, proposeAndWait } from './decision-path';
import { KafkaFloor } from './kafka-floor';
import { BenchOptions, USAGE, UsageError, parseOptions } from './options';
import {
  BenchSummary,
  PathReport,
  PlatformReport,
  formatSummary,
  pathReport,
  platformReport,
  ratios,
} from './report';

const BOOTED = ['ingest', 'guardrail'];
const NOT_BOOTED = ['audit', 'escalation', 'killswitch'];

// kafkajs warns once per producer about a partitioner change that predates this project.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

function progress(line: string): void {
  process.stderr.write(`decision-latency: ${line}\n`);
}

/** Runs first, on a quiet machine: the floor is the best case, so nothing else may run beside it. */
async function measureKafkaFloor(stack: IsolatedStack, options: BenchOptions): Promise<PathReport> {
  const floor = await KafkaFloor.start(stack, options.agents, options.fetchWaitMs);
  try {
    progress(`kafka floor: warm-up ${options.warmup}, then ${options.count} at ${options.rate}/s`);
    await floor.run({ count: options.warmup, ratePerSec: options.rate }, 0);
    const result = await floor.run({ count: options.count, ratePerSec: options.rate }, options.warmup);
    return pathReport('kafka floor: ping → pong', result);
  } finally {
    await floor.stop();
  }
}

async function measurePlatform(stack: IsolatedStack, options: BenchOptions): Promise<PlatformReport> {
  progress('booting guardrail and ingest');
  const path = await bootDecisionPath(stack, options.agents);
  try {
    progress(`platform: warm-up ${options.warmup}, then ${options.count} at ${options.rate}/s`);
    await runOpenLoop({ count: options.warmup, ratePerSec: options.rate }, (i) => proposeAndWait(path, i));
    path.resetStats();
    const offset = options.warmup;
    const result = await runOpenLoop({ count: options.count, ratePerSec: options.rate }, (i) =>
      proposeAndWait(path, offset + i),
    );
    return platformReport(result, offset, await path.guardrailHandler());
  } finally {
    await path.close();
  }
}

function loadAverage(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}

async function run(options: BenchOptions): Promise<BenchSummary> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  // BENCH_DATABASE: a database of its own when others run benches on the same PostgreSQL.
  const database = process.env.BENCH_DATABASE ?? 'agentops_bench';
  const stack = await prepareIsolatedStack({ name: 'bench', database });
  progress(`topic prefix ${stack.topicPrefix}, database ${database}, redis prefix ${stack.redisKeyPrefix}`);
  try {
    const kafkaFloor = await measureKafkaFloor(stack, options);
    const platform = await measurePlatform(stack, options);
    const { json: _json, ...shown } = options;
    return {
      benchmark: 'decision-latency',
      startedAt,
      options: shown,
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAvg1m: { before: loadBefore, after: loadAverage() },
      },
      servicesBooted: BOOTED,
      servicesNotBooted: NOT_BOOTED,
      platform,
      kafkaFloor,
      ratio: ratios(platform, kafkaFloor),
    };
  } finally {
    progress('cleaning up: bench topics, consumer groups, redis keys');
    await teardownIsolatedStack(stack);
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    // node:util parseArgs throws a TypeError for an unknown flag; ours throw UsageError.
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    if (error.message) process.stderr.write(`decision-latency: ${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return error.message ? 2 : 0;
  }
  const summary = await run(options);
  process.stdout.write(`${formatSummary(summary)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  // Timeouts are a result (the fail-closed deny under overload) and are reported above; errors and
  // wrong verdicts mean the system under test is broken, so the numbers are not worth keeping.
  const broken = summary.platform.errors + summary.platform.wrongVerdicts + summary.kafkaFloor.errors;
  return broken > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `decision-latency: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
