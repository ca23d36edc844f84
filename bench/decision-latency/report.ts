import { OpenLoopResult } from '../shared/open-loop';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { DecisionOutcome, HandlerStats, expectedVerdict } from './decision-path';
import { BenchOptions } from './options';

export interface PathReport {
  label: string;
  latencyMs: LatencySummary;
  /** How late the load generator sent (p99); if this grows, the numbers measure the generator. */
  sendLagP99Ms: number;
  eventLoopDelayMs: { p99: number; max: number };
  processCpuPercent: number;
  offeredRatePerSec: number;
  /** Real answers per second: pongs, or policy decisions (fail-closed timeouts excluded). */
  achievedRatePerSec: number;
  /** Requests that got no answer at all (HTTP error, no pong). */
  errors: number;
  firstError?: string;
}

export interface PlatformReport extends PathReport {
  verdicts: Record<string, number>;
  /** Fail-closed denies: ingest gave up waiting for guardrail. */
  timeouts: number;
  /** Decisions that contradict the price-floor rule: a correctness bug, not a latency one. */
  wrongVerdicts: number;
  /** The round trip split at guardrail's decidedAt (ms resolution): before it, and after it. */
  legsMs: { toDecision: LatencySummary; decisionToAnswer: LatencySummary };
  guardrailHandler: HandlerStats;
}

export interface MachineInfo {
  cpus: number;
  node: string;
  /** 1-minute load average before and after: a busy machine makes the run meaningless. */
  loadAvg1m: { before: number; after: number };
}

export interface BenchSummary {
  benchmark: 'decision-latency';
  startedAt: string;
  options: Omit<BenchOptions, 'json'>;
  machine: MachineInfo;
  servicesBooted: string[];
  servicesNotBooted: string[];
  platform: PlatformReport;
  kafkaFloor: PathReport;
  ratio: { p50: number; p95: number; p99: number };
}

export function pathReport(label: string, result: OpenLoopResult<unknown>): PathReport {
  const answered = result.samples.filter((s) => s.outcome.ok);
  const firstFailure = result.samples.map((s) => s.outcome).find((o) => !o.ok);
  return {
    label,
    latencyMs: rounded(summarize(answered.map((s) => s.latencyMs))),
    sendLagP99Ms: round2(summarize(result.samples.map((s) => s.sendLagMs)).p99),
    eventLoopDelayMs: { p99: round2(result.eventLoopDelayMs.p99), max: round2(result.eventLoopDelayMs.max) },
    processCpuPercent: Math.round(result.processCpuPercent),
    offeredRatePerSec: result.offeredRatePerSec,
    achievedRatePerSec: round2(answered.length / (result.elapsedMs / 1000)),
    errors: result.samples.length - answered.length,
    firstError: firstFailure && !firstFailure.ok ? firstFailure.error : undefined,
  };
}

export function platformReport(
  result: OpenLoopResult<DecisionOutcome>,
  indexOffset: number,
  guardrailHandler: HandlerStats,
): PlatformReport {
  const verdicts: Record<string, number> = {};
  const toDecision: number[] = [];
  const decisionToAnswer: number[] = [];
  let timeouts = 0;
  let wrongVerdicts = 0;
  for (const { index, outcome, scheduledAtEpochMs, latencyMs } of result.samples) {
    if (!outcome.ok) continue;
    const { verdict, decidedBy, decidedAtEpochMs } = outcome.value;
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
    if (decidedBy === 'timeout') {
      timeouts++;
      continue;
    }
    if (verdict !== expectedVerdict(indexOffset + index)) wrongVerdicts++;
    const before = decidedAtEpochMs - scheduledAtEpochMs;
    toDecision.push(before);
    decisionToAnswer.push(latencyMs - before);
  }
  const base = pathReport('platform: POST /v1/intents?wait=true', result);
  return {
    ...base,
    // A fail-closed deny is an answer but not a decision: it must not count as throughput.
    achievedRatePerSec: round2(toDecision.length / (result.elapsedMs / 1000)),
    verdicts,
    timeouts,
    wrongVerdicts,
    legsMs: {
      toDecision: rounded(summarize(toDecision)),
      decisionToAnswer: rounded(summarize(decisionToAnswer)),
    },
    guardrailHandler: { count: guardrailHandler.count, meanMs: round2(guardrailHandler.meanMs) },
  };
}

export function ratios(platform: PathReport, floor: PathReport): BenchSummary['ratio'] {
  const ratio = (k: 'p50' | 'p95' | 'p99') => round2(platform.latencyMs[k] / floor.latencyMs[k]);
  return { p50: ratio('p50'), p95: ratio('p95'), p99: ratio('p99') };
}

/** Markdown tables, so a run's output can go into docs/benchmarks.md as it is. */
export function formatSummary(s: BenchSummary): string {
  const { platform, kafkaFloor, options, machine } = s;
  const lines = [
    `decision-latency: ${options.count} intents per path at ${options.rate}/s offered (open loop), ` +
      `${options.warmup} warm-up not counted, ${options.agents} agent(s) = Kafka key(s)`,
    `booted: ${s.servicesBooted.join(', ')}; not booted (off the synchronous path, would only add load): ` +
      s.servicesNotBooted.join(', '),
    `machine: ${machine.cpus} CPUs, node ${machine.node}, load average (1 min) ${machine.loadAvg1m.before} before, ` +
      `${machine.loadAvg1m.after} after`,
    '',
    row(['path', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'achieved /s']),
    row(['---', '---:', '---:', '---:', '---:', '---:']),
    pathRow(platform.label, platform.latencyMs, platform.achievedRatePerSec.toFixed(1)),
    pathRow(kafkaFloor.label, kafkaFloor.latencyMs, kafkaFloor.achievedRatePerSec.toFixed(1)),
    row(['ratio platform / floor', `${s.ratio.p50}x`, `${s.ratio.p95}x`, `${s.ratio.p99}x`, '', '']),
    '',
    row(['platform leg', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', '']),
    row(['---', '---:', '---:', '---:', '---:', '']),
    pathRow('sent → guardrail decided', platform.legsMs.toDecision, ''),
    pathRow('guardrail decided → agent answered', platform.legsMs.decisionToAnswer, ''),
    '',
    `guardrail handler (decode → PostgreSQL → publish acked): mean ${ms(platform.guardrailHandler.meanMs)} ms ` +
      `over ${platform.guardrailHandler.count} intents`,
    `verdicts: ${
      Object.entries(platform.verdicts)
        .map(([v, n]) => `${v} ${n}`)
        .join(', ') || 'none'
    }; ` +
      `timeouts (fail-closed): ${platform.timeouts}; wrong verdicts: ${platform.wrongVerdicts}; ` +
      `HTTP errors: ${platform.errors}; floor errors: ${kafkaFloor.errors}`,
    `load generator: send lag p99 platform ${ms(platform.sendLagP99Ms)} ms, floor ${ms(kafkaFloor.sendLagP99Ms)} ms; ` +
      `event-loop delay p99/max platform ${ms(platform.eventLoopDelayMs.p99)}/${ms(platform.eventLoopDelayMs.max)} ms, ` +
      `floor ${ms(kafkaFloor.eventLoopDelayMs.p99)}/${ms(kafkaFloor.eventLoopDelayMs.max)} ms; ` +
      `bench process CPU platform ${platform.processCpuPercent}%, floor ${kafkaFloor.processCpuPercent}% of one core`,
  ];
  for (const p of [platform, kafkaFloor])
    if (p.firstError) lines.push(`first error (${p.label}): ${p.firstError}`);
  if (platform.timeouts > 0) {
    lines.push(
      `WARNING: ${platform.timeouts} intent(s) got the fail-closed deny (no decision in time): the offered rate is ` +
        'above what this setup sustains, and the percentiles are capped by the timeout',
    );
  }
  if (machine.loadAvg1m.before > machine.cpus) {
    lines.push(
      `WARNING: load average ${machine.loadAvg1m.before} > ${machine.cpus} CPUs before the run; numbers include contention`,
    );
  }
  return lines.join('\n');
}

const ms = (v: number) => v.toFixed(1);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const pathRow = (label: string, l: LatencySummary, last: string) =>
  row([label, ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max), last]);

function rounded(s: LatencySummary): LatencySummary {
  return {
    count: s.count,
    p50: round2(s.p50),
    p95: round2(s.p95),
    p99: round2(s.p99),
    max: round2(s.max),
    mean: round2(s.mean),
  };
}
