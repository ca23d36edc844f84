/**
 * Throughput against instance count (issue #19 item 5): bench:platform-throughput once per count,
 * every listed service at that many instances (`--instances`), one after the other on the same
 * machine, and the curve as the ratio of each count's peak to one instance's in the same run.
 * See docs/benchmarks.md § Platform throughput, scale-out.
 *
 *   npm run bench:platform-scale-out -- [--counts 1,2,3] [--services ingest,guardrail,...]
 *     [--no-write] [-- <bench:platform-throughput options, e.g. --rates 10,20,30 --step-seconds 10>]
 *
 * Writes docs/bench/platform-scale-out.json unless `--no-write`.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot, writeBenchSummary } from '../shared/summary';
import type { StepRow } from './main';

/** Every service on the decision path and beside it; console serves people, not intents. */
const SERVICES = ['ingest', 'guardrail', 'escalation', 'killswitch', 'audit', 'rollout', 'access'];

interface BenchRun {
  machine: { loadAvg1m: { before: number; after: number } };
  fields: { sustained_intents_per_s: number };
  loadSteps: StepRow[];
}

export interface ScalePoint {
  instances: number;
  /** The highest achieved rate of any step (the ascent stops at the first saturated one). */
  peak_intents_per_s: number;
  /** As bench:platform-throughput's: achieved ≥ 95 % of offered, p99 ≤ 50 ms, no fail-closed. */
  sustained_intents_per_s: number;
  p99_ms_at_peak: number;
  fail_closed: number;
  /** Peak against one instance's peak in this run; null when there is no one-instance point. */
  ratio_to_one: number | null;
  /** CPU ms per intent at the peak step, summed over every instance of each service. */
  cpu_ms_per_intent: Record<string, number>;
  load_before: number;
  load_after: number;
}

/** One count's bench result, as a point of the curve (the ratio is set once the curve is whole). */
export function pointOf(instances: number, run: BenchRun): ScalePoint {
  const peak = [...run.loadSteps].sort((a, b) => b.achieved - a.achieved)[0];
  const cpu: Record<string, number> = {};
  // Instances are named `<service>` and `<service>-<n>`: summed per service.
  for (const [name, ms] of Object.entries(peak?.cpuMsPerIntent ?? {})) {
    const service = name.replace(/-\d+$/, '');
    cpu[service] = Math.round(((cpu[service] ?? 0) + ms) * 10) / 10;
  }
  return {
    instances,
    peak_intents_per_s: peak?.achieved ?? 0,
    sustained_intents_per_s: run.fields.sustained_intents_per_s,
    p99_ms_at_peak: peak?.p99Ms ?? 0,
    fail_closed: run.loadSteps.reduce((n, r) => n + r.failClosed, 0),
    ratio_to_one: null,
    cpu_ms_per_intent: cpu,
    load_before: run.machine.loadAvg1m.before,
    load_after: run.machine.loadAvg1m.after,
  };
}

export function withRatios(points: ScalePoint[]): ScalePoint[] {
  const one = points.find((p) => p.instances === 1)?.peak_intents_per_s;
  return points.map((p) => ({
    ...p,
    ratio_to_one: one ? Math.round((p.peak_intents_per_s / one) * 100) / 100 : null,
  }));
}

export function curveTable(points: ScalePoint[]): string {
  return [
    '| instances of each service | peak intents/s | × one instance | sustained/s | p99 at peak (ms) | fail-closed | CPU ms/intent at peak (all services) | load 1m before → after |',
    '| --: | --: | --: | --: | --: | --: | --: | :-- |',
    ...points.map(
      (p) =>
        `| ${p.instances} | ${p.peak_intents_per_s} | ${p.ratio_to_one ?? '—'} | ${p.sustained_intents_per_s} | ${p.p99_ms_at_peak} | ${p.fail_closed} | ${Math.round(Object.values(p.cpu_ms_per_intent).reduce((a, b) => a + b, 0))} | ${p.load_before} → ${p.load_after} |`,
    ),
  ].join('\n');
}

function main(): void {
  const dashdash = process.argv.indexOf('--');
  const own = dashdash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashdash);
  const passed = dashdash === -1 ? [] : process.argv.slice(dashdash + 1);
  const { values } = parseArgs({
    args: own,
    options: {
      counts: { type: 'string', default: '1,2,3' },
      services: { type: 'string', default: SERVICES.join(',') },
      write: { type: 'boolean', default: true },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const counts = values.counts!.split(',').map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 6))
    throw new Error('--counts: instance counts from 1 to 6 (the topics have 6 partitions)');
  const services = values.services!.split(',').filter(Boolean);
  const points: ScalePoint[] = [];
  for (const n of counts) {
    const instances = services.map((s) => `${s}=${n}`).join(',');
    console.error(`scale-out: ${n} instance(s) of ${services.join(', ')} (load ${loadavg()[0].toFixed(2)})`);
    const out = execFileSync(
      process.execPath,
      [
        resolve(repositoryRoot, 'dist/bench/platform-throughput/main.js'),
        ...passed,
        '--instances',
        instances,
        '--json',
        '--no-write',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
    );
    const json = out
      .trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    if (!json) throw new Error(`no JSON result from the bench at ${n} instance(s)`);
    points.push(pointOf(n, JSON.parse(json) as BenchRun));
    console.error(`scale-out: ${n} -> peak ${points.at(-1)!.peak_intents_per_s}/s`);
  }
  const curve = withRatios(points);
  process.stdout.write(`\n${curveTable(curve)}\n`);
  if (values.write && !values['no-write']) {
    writeBenchSummary('platform-scale-out', { services, bench_options: passed, points: curve }, [
      'services',
      'libs',
      'bench/platform-throughput',
      'bench/shared',
      'scripts/platform.sh',
    ]);
    console.error('scale-out: wrote docs/bench/platform-scale-out.json');
  }
}

if (require.main === module) main();
