/**
 * Tracing-overhead benchmark: the decision path (`POST /v1/intents?wait=true` through ingest,
 * Kafka, guardrail and back) with the OpenTelemetry SDK off, and on with its OTLP endpoint down, in
 * the same run. Each side runs in a process of its own (the SDK is per process) on an isolated
 * stack of its own; the parent measures them in alternating rounds so that the shared machine's
 * drift lands on both. See docs/benchmarks.md § Tracing overhead.
 *
 *   npm run bench:tracing-overhead -- [--count 600] [--rate 20] [--throughput-count 400]
 *                                     [--concurrency 16] [--rounds 4] [--warmup 50] [--json]
 *
 * Infrastructure from the environment: KAFKA_BROKERS (default 127.0.0.1:9092), REDIS_URL (default
 * redis://127.0.0.1:6379), BENCH_DATABASE (default agentops_bench_tracing, suffixed _off and _on).
 */
import { ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Server, Socket, createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TracingCounters } from '@agentops/service-runtime/tracing';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { writeBenchSummary } from '../shared/summary';
import { ArmCommand, ArmName, ArmReply, Failures } from './protocol';

interface Options {
  /** Measured intents per arm, open loop, split over the rounds. */
  count: number;
  ratePerSec: number;
  /** Intents per arm for the throughput phase (closed loop), split over the rounds. */
  throughputCount: number;
  concurrency: number;
  rounds: number;
  warmup: number;
  json: boolean;
}

const USAGE = `usage: tracing-overhead [--count N] [--rate R] [--throughput-count T] [--concurrency C] [--rounds K] [--warmup W] [--json]
  --count             measured intents per arm, open loop      (default 600)
  --rate              offered intents per second               (default 20)
  --throughput-count  intents per arm, closed loop             (default 400)
  --concurrency       agents of the closed loop                (default 16)
  --rounds            alternating rounds the counts are split in (default 4)
  --warmup            uncounted intents per arm, sent first    (default 50)
  --json              also print the whole summary as one JSON line`;

/** What the run asserted about the code, not the machine: a failure makes the numbers worthless. */
const MEASURED_PATHS = [
  'bench/tracing-overhead',
  'bench/decision-latency/decision-path.ts',
  'libs/service-runtime/src/tracing.ts',
  'libs/messaging/src',
  'services/ingest/src',
  'services/guardrail/src',
];

function progress(line: string): void {
  process.stderr.write(`tracing-overhead: ${line}\n`);
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '600' },
      rate: { type: 'string', default: '20' },
      'throughput-count': { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name}: an integer >= ${min} (got ${raw})\n${USAGE}`);
    return n;
  };
  return {
    count: int('count', values.count, 1),
    ratePerSec: int('rate', values.rate, 1),
    throughputCount: int('throughput-count', values['throughput-count'], 1),
    concurrency: int('concurrency', values.concurrency, 1),
    rounds: int('rounds', values.rounds, 1),
    warmup: int('warmup', values.warmup, 0),
    json: values.json,
  };
}

/** An OTLP endpoint that is down the worst way: it accepts the connection and never answers. */
async function unresponsiveEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read and discard the request; never write a byte back
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port for the OTLP stand-in');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

/** One arm's process and a request/answer channel to it. */
class Arm {
  private readonly replies: ArmReply[] = [];
  private waiting?: (reply: ArmReply) => void;
  private exited?: string;

  private constructor(
    readonly name: ArmName,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: ArmReply) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(reply);
      } else this.replies.push(reply);
    });
    child.on('exit', (code) => {
      this.exited = `arm ${name} exited (${code})`;
      this.waiting?.({ kind: 'failed', error: this.exited });
    });
  }

  static start(name: ArmName, tracingEnv: Record<string, string>, warmup: number): Arm {
    const child = fork(resolve(__dirname, 'arm.js'), [], {
      env: {
        ...process.env,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        BENCH_ARM: name,
        BENCH_WARMUP: String(warmup),
        OTEL_SDK_DISABLED: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        ...tracingEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Arm(name, child);
  }

  next(): Promise<ArmReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exited) return Promise.resolve({ kind: 'failed', error: this.exited });
    return new Promise((done) => (this.waiting = done));
  }

  async ask<K extends ArmReply['kind']>(
    command: ArmCommand | null,
    kind: K,
  ): Promise<Extract<ArmReply, { kind: K }>> {
    if (command) this.child.send(command);
    const reply = await this.next();
    if (reply.kind === 'failed') throw new Error(`arm ${this.name}: ${reply.error}`);
    if (reply.kind !== kind) throw new Error(`arm ${this.name}: expected ${kind}, got ${reply.kind}`);
    return reply as Extract<ArmReply, { kind: K }>;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

interface ArmResult {
  latency: LatencySummary;
  /** Decisions per second of the closed loop. */
  throughputPerSec: number;
  failures: Failures;
  eventLoopP99Ms: number;
  processCpuPercent: number;
  counters: TracingCounters;
}

function addFailures(into: Failures, more: Failures): void {
  into.timeouts += more.timeouts;
  into.errors += more.errors;
  into.wrongVerdicts += more.wrongVerdicts;
}

async function measure(arms: Record<ArmName, Arm>, o: Options): Promise<Record<ArmName, ArmResult>> {
  const acc = Object.fromEntries(
    (['off', 'on'] as const).map((name) => [
      name,
      {
        latencies: [] as number[],
        failures: { timeouts: 0, errors: 0, wrongVerdicts: 0 },
        count: 0,
        ms: 0,
        loop: 0,
        cpu: 0,
      },
    ]),
  ) as Record<
    ArmName,
    { latencies: number[]; failures: Failures; count: number; ms: number; loop: number; cpu: number }
  >;
  const perRound = (total: number, round: number) =>
    Math.floor(total / o.rounds) + (round < total % o.rounds ? 1 : 0);
  let offset = 0;
  for (let round = 0; round < o.rounds; round++) {
    // The order flips every round, so neither arm always runs on a machine the other just heated.
    const order: ArmName[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    const count = perRound(o.count, round);
    const tpCount = perRound(o.throughputCount, round);
    for (const name of order) {
      progress(`round ${round + 1}/${o.rounds}: ${name}, ${count} intents at ${o.ratePerSec}/s`);
      const r = await arms[name].ask({ cmd: 'latency', count, ratePerSec: o.ratePerSec, offset }, 'latency');
      acc[name].latencies.push(...r.latenciesMs);
      addFailures(acc[name].failures, r.failures);
      acc[name].loop = Math.max(acc[name].loop, r.eventLoopP99Ms);
      acc[name].cpu += r.processCpuPercent / o.rounds;
    }
    offset += count;
    for (const name of order) {
      progress(`round ${round + 1}/${o.rounds}: ${name}, ${tpCount} intents by ${o.concurrency} agents`);
      const r = await arms[name].ask(
        { cmd: 'throughput', count: tpCount, concurrency: o.concurrency, offset },
        'throughput',
      );
      acc[name].count += r.count;
      acc[name].ms += r.elapsedMs;
      addFailures(acc[name].failures, r.failures);
    }
    offset += tpCount;
  }
  const results = {} as Record<ArmName, ArmResult>;
  for (const name of ['off', 'on'] as const) {
    const { counters } = await arms[name].ask({ cmd: 'close' }, 'closed');
    const a = acc[name];
    results[name] = {
      latency: summarize(a.latencies),
      throughputPerSec: (a.count * 1000) / a.ms,
      failures: a.failures,
      eventLoopP99Ms: a.loop,
      processCpuPercent: a.cpu,
      counters,
    };
  }
  return results;
}

function load(): number {
  return round2(loadavg()[0]);
}

function table(results: Record<ArmName, ArmResult>): string {
  const row = (name: ArmName, label: string) => {
    const r = results[name];
    const l = r.latency;
    return `| ${label} | ${l.count} | ${round2(l.p50)} | ${round2(l.p95)} | ${round2(l.p99)} | ${round2(l.max)} | ${round2(r.throughputPerSec)} | ${r.failures.timeouts} | ${r.failures.errors + r.failures.wrongVerdicts} | ${r.counters.droppedQueueFull} | ${r.counters.droppedExportFailed} | ${r.counters.exported} |`;
  };
  return [
    '| arm | intents | p50 ms | p95 ms | p99 ms | max ms | decisions/s (closed loop) | fail-closed | errors | spans dropped: queue full | spans dropped: export failed | spans exported |',
    '| :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
    row('off', 'tracing off (`OTEL_SDK_DISABLED=true`)'),
    row('on', 'tracing on, OTLP endpoint down'),
  ].join('\n');
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`tracing-overhead: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const loadBefore = load();
  const endpoint = await unresponsiveEndpoint();
  progress(`OTLP endpoint stand-in (accepts, never answers) at ${endpoint.url}; booting both arms`);
  const arms: Record<ArmName, Arm> = {
    off: Arm.start('off', { OTEL_SDK_DISABLED: 'true' }, o.warmup),
    on: Arm.start('on', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url }, o.warmup),
  };
  try {
    const ready = {
      off: await arms.off.ask(null, 'ready'),
      on: await arms.on.ask(null, 'ready'),
    };
    if (ready.off.sdkStarted || !ready.on.sdkStarted || !ready.on.exporting)
      throw new Error(`arms not as configured: ${JSON.stringify(ready)}`);
    const results = await measure(arms, o);
    const { off, on } = results;
    const fields = {
      p99_overhead_ms: round2(on.latency.p99 - off.latency.p99),
      throughput_ratio: round2(on.throughputPerSec / off.throughputPerSec),
      exporter_down_decisions_blocked: on.failures.timeouts + on.failures.errors,
    };
    const broken =
      off.failures.errors + off.failures.wrongVerdicts + on.failures.wrongVerdicts > 0 ||
      // Failing closed without tracing: the machine, not the SDK, missed the deadline, and the on
      // arm's fail-closed answers ("blocked") would be read as the exporter's.
      off.failures.timeouts > 0 ||
      // The endpoint was down the whole run: a span "exported" means the arm was not what it claims,
      // and no span dropped means the SDK made none.
      on.counters.exported > 0 ||
      on.counters.droppedQueueFull + on.counters.droppedExportFailed === 0;
    const machine = {
      cpus: cpus().length,
      node: process.version,
      loadAvg1m: { before: loadBefore, after: load() },
    };
    process.stdout.write(
      `\n${table(results)}\n\np99 overhead ${fields.p99_overhead_ms} ms (goal ≤ 1), throughput ratio ${fields.throughput_ratio} (goal ≥ 0.95), decisions blocked with the exporter down: ${fields.exporter_down_decisions_blocked} (goal 0)\nevent-loop p99 off ${round2(off.eventLoopP99Ms)} ms, on ${round2(on.eventLoopP99Ms)} ms; process CPU off ${round2(off.processCpuPercent)} %, on ${round2(on.processCpuPercent)} %; load average (1 min) ${machine.loadAvg1m.before} → ${machine.loadAvg1m.after} on ${machine.cpus} CPUs\n`,
    );
    if (broken) {
      progress(
        'the run is broken (errors, wrong verdicts, tracing off failing closed, or an arm not as configured): no summary written',
      );
      return 1;
    }
    const summary = writeBenchSummary('tracing-overhead', fields, MEASURED_PATHS);
    progress(`wrote docs/bench/tracing-overhead.json (${summary.commit})`);
    if (o.json) process.stdout.write(`${JSON.stringify({ ...summary, options: o, machine, results })}\n`);
    return 0;
  } finally {
    arms.off.kill();
    arms.on.kill();
    await endpoint.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `tracing-overhead: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
