/**
 * Access-anomaly benchmark (issue #17): does `@agentops/access-anomaly` catch sweeps, slow leaks
 * and toxic flows on seeded simulated business days without crying wolf through a 5× sales peak,
 * and how does a RogueAgentDetector-style z-score on tool calls per minute do on the same streams?
 * Pure CPU: no Kafka, PostgreSQL or Redis. See docs/benchmarks.md § Access anomaly.
 *
 * Each simulated day: 50 agents (20 service, 15 shopping, 10 pricing, 5 replenishment; 8 of them
 * new that day), a warm-up day of ordinary traffic for the others, the monitor's state snapshotted
 * to JSON and restored (as a consumer restart would), then the measured day with the injections.
 *
 *   npm run bench:access-anomaly -- [--days 7] [--seed N] [--json] [--no-write]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { AccessAnomaly, AccessMonitor, MonitorSnapshot } from '@agentops/access-anomaly';
import { SeededRandom } from '@agentops/rollout-analysis';
import { commitOf } from '../shared/commit';
import { percentile, round2 } from '../shared/stats';
import { DAY, HOUR, LISTED, SimDay, SimEvent, TENANT, buildAgents, simulateDay } from './streams';
import { ZScoreBaseline } from './zscore-baseline';

interface Alert {
  agent: number;
  t: number;
  anomaly?: AccessAnomaly;
}

interface PassResult {
  alerts: Alert[];
  lows: number;
  /** Per egress event index: denied before it ran. */
  denied: Set<SimEvent>;
  seconds: number;
  events: number;
}

const options = () => ({ allowedDestinations: { [TENANT]: LISTED } });

/** Feeds a day through the monitor; ≥ medium anomalies are alerts. */
function runMonitor(m: AccessMonitor, day: SimDay): PassResult {
  const alerts: Alert[] = [];
  const denied = new Set<SimEvent>();
  let lows = 0;
  let events = 0;
  const keep = (agent: number, out: AccessAnomaly[]) => {
    for (const a of out) {
      if (a.severity === 'low') lows++;
      else alerts.push({ agent, t: a.at, anomaly: a });
    }
  };
  const index = new Map(day.agents.map((a, i) => [a.ref.id, i]));
  const t0 = performance.now();
  for (const e of day.events) {
    if (e.kind === 'tick') {
      for (const a of m.tick(e.t)) keep(index.get(a.agentId)!, [a]);
      continue;
    }
    events++;
    const ref = day.agents[e.agent].ref;
    if (e.kind === 'read') keep(e.agent, m.observeAccess(ref, e.t, e.report));
    else if (e.kind === 'intent') keep(e.agent, m.observeIntent(ref, e.t, { action: e.action }));
    else {
      const v = m.checkEgress(ref, e.t, {
        destination: e.destination,
        dataClasses: e.dataClasses,
        records: e.records,
      });
      keep(e.agent, v.anomalies);
      if (v.verdict === 'deny') denied.add(e);
      else
        keep(
          e.agent,
          m.observeAccess(ref, e.t + 1, {
            kind: 'egress',
            source: 'mailer',
            dataClasses: e.dataClasses,
            records: e.records,
            subjectIds: [],
            destination: e.destination,
          }),
        );
    }
  }
  return { alerts, lows, denied, seconds: (performance.now() - t0) / 1000, events };
}

function runBaseline(z: ZScoreBaseline, day: SimDay): PassResult {
  const alerts: Alert[] = [];
  let events = 0;
  const t0 = performance.now();
  for (const e of day.events) {
    if (e.kind === 'tick') {
      for (const agent of z.tick(e.t)) alerts.push({ agent, t: e.t });
      continue;
    }
    events++;
    const t = z.call(e.agent, e.t);
    if (t !== undefined) alerts.push({ agent: e.agent, t });
  }
  return { alerts, lows: 0, denied: new Set(), seconds: (performance.now() - t0) / 1000, events };
}

interface Scored {
  sweepRecords: number[];
  sweepSeconds: number[];
  sweepHighSeconds: number[];
  leakHours: number[];
  toxic: number;
  toxicBlocked: number;
  falseAlerts: number;
  exposureAgentDays: number;
  falseByDetector: Record<string, number>;
}

const emptyScore = (): Scored => ({
  sweepRecords: [],
  sweepSeconds: [],
  sweepHighSeconds: [],
  leakHours: [],
  toxic: 0,
  toxicBlocked: 0,
  falseAlerts: 0,
  exposureAgentDays: 0,
  falseByDetector: {},
});

function score(day: SimDay, pass: PassResult, into: Scored, dayStart: number): void {
  const byAgent = new Map<number, Alert[]>();
  for (const a of pass.alerts) byAgent.set(a.agent, [...(byAgent.get(a.agent) ?? []), a]);
  const firstAlert = (agent: number, from: number, high = false) =>
    (byAgent.get(agent) ?? [])
      .filter((a) => a.t >= from && (!high || a.anomaly?.severity === 'high'))
      .sort((x, y) => x.t - y.t)[0];
  for (const j of day.injections) {
    if (j.kind === 'sweep') {
      const hit = firstAlert(j.agent, j.start);
      const within = hit && hit.t <= j.end ? hit.t : undefined;
      const records = day.events
        .filter(
          (e) =>
            e.kind === 'read' && e.injected === 'sweep' && e.agent === j.agent && e.t <= (within ?? j.end),
        )
        .reduce((s, e) => s + (e.kind === 'read' ? e.report.records : 0), 0);
      into.sweepRecords.push(within === undefined ? Infinity : records);
      into.sweepSeconds.push(within === undefined ? Infinity : (within - j.start) / 1000);
      const high = firstAlert(j.agent, j.start, true);
      into.sweepHighSeconds.push(high && high.t <= j.end ? (high.t - j.start) / 1000 : Infinity);
    } else if (j.kind === 'leak') {
      const hit = firstAlert(j.agent, j.start);
      into.leakHours.push(hit ? (hit.t - j.start) / HOUR : Infinity);
    }
  }
  for (const e of day.events)
    if (e.kind === 'egress' && e.injected === 'toxic') {
      into.toxic++;
      if (pass.denied.has(e)) into.toxicBlocked++;
    }
  day.agents.forEach((_, i) => {
    const starts = day.injections.filter((j) => j.agent === i).map((j) => j.start);
    const until = starts.length ? Math.min(...starts) : dayStart + DAY;
    into.exposureAgentDays += (until - dayStart) / DAY;
    for (const a of byAgent.get(i) ?? [])
      if (a.t < until) {
        into.falseAlerts++;
        if (process.env.ACCESS_BENCH_DEBUG && a.anomaly)
          process.stderr.write(
            `false ${day.agents[i].ref.id} ${new Date(a.t).toISOString().slice(11, 19)} ${a.anomaly.detector} ${a.anomaly.baselineFrom} ${a.anomaly.message}\n`,
          );
        const key = a.anomaly ? `${a.anomaly.detector}:${a.anomaly.feature}` : 'zscore:calls';
        into.falseByDetector[key] = (into.falseByDetector[key] ?? 0) + 1;
      }
  });
  // legitimate egress denied before it ran (false blocks) count as false alerts already: a deny is a high anomaly.
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p95 = (xs: number[]) => percentile(sorted(xs), 95);
const p50 = (xs: number[]) => percentile(sorted(xs), 50);
const missed = (xs: number[]) => `${xs.filter((v) => !Number.isFinite(v)).length}/${xs.length}`;
const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : 'never');
const finiteOrNull = (v: number, digits = 2) =>
  Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : null;

function main(): number {
  const opts = new Command()
    .name('bench:access-anomaly')
    .option(
      '--days <n>',
      'simulated business days (each with its own warm-up day and seed)',
      (v) => Number.parseInt(v, 10),
      7,
    )
    .option('--fresh <n>', 'agents new on the measured day', (v) => Number.parseInt(v, 10), 8)
    .option('--sweeps <n>', 'sweeps per day', (v) => Number.parseInt(v, 10), 6)
    .option('--leaks <n>', '1.5× slow leaks per day', (v) => Number.parseInt(v, 10), 6)
    .option('--toxic <n>', 'toxic flows per day', (v) => Number.parseInt(v, 10), 10)
    .option('--seed <n>', 'first seed', (v) => Number.parseInt(v, 10), 20261202)
    .option('--json', 'print a one-line JSON summary last')
    .option('--no-write', 'do not write docs/bench/access-anomaly.json')
    .parse()
    .opts<{
      days: number;
      fresh: number;
      sweeps: number;
      leaks: number;
      toxic: number;
      seed: number;
      json?: boolean;
      write: boolean;
    }>();

  const load = loadavg()[0];
  const ours = emptyScore();
  const base = emptyScore();
  let events = 0;
  let seconds = 0;
  let baselineSeconds = 0;
  let lows = 0;
  let snapshotBytes = 0;
  let agents = 0;
  for (let d = 0; d < opts.days; d++) {
    const rng = new SeededRandom(opts.seed + d * 7919);
    const roster = buildAgents(rng, opts.fresh);
    agents = roster.length;
    const warm = simulateDay(
      rng,
      roster,
      { day: 2 * d, sweeps: 0, leaks: 0, toxic: 0, clean: true },
      (a) => !a.fresh,
    );
    const warmed = new AccessMonitor(options());
    runMonitor(warmed, warm);
    const z = new ZScoreBaseline(60_000, 2.5, 5, 0);
    runBaseline(z, warm);
    // A consumer restart between the days: the state goes through JSON.
    const text = JSON.stringify(warmed.snapshot());
    snapshotBytes = Math.max(snapshotBytes, text.length);
    const monitor = AccessMonitor.restore(JSON.parse(text) as MonitorSnapshot, options());
    const day = simulateDay(
      rng,
      roster,
      { day: 2 * d + 1, sweeps: opts.sweeps, leaks: opts.leaks, toxic: opts.toxic, clean: false },
      () => true,
    );
    const pass = runMonitor(monitor, day);
    const zpass = runBaseline(z, day);
    score(day, pass, ours, (2 * d + 1) * DAY);
    score(day, zpass, base, (2 * d + 1) * DAY);
    events += pass.events;
    seconds += pass.seconds;
    baselineSeconds += zpass.seconds;
    lows += pass.lows;
  }
  const perAgentWeek = (s: Scored) => (s.falseAlerts / s.exposureAgentDays) * 7;
  const sweepRecordsP95 = p95(ours.sweepRecords);
  const sweepSecondsP95 = p95(ours.sweepSeconds);
  const leakP95 = p95(ours.leakHours);
  const eventsPerS = events / seconds;
  const lines = [
    `access-anomaly: ${opts.days} simulated days × ${agents} agents (${opts.fresh} new each day), ${opts.sweeps} sweeps, ${opts.leaks} leaks, ${opts.toxic} toxic flows per day; seed ${opts.seed}`,
    `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${round2(load)} → ${round2(loadavg()[0])}; ${events} events measured; snapshot ≤ ${Math.round(snapshotBytes / 1024)} KiB`,
    '',
    `${''.padEnd(46)} ${'ours'.padStart(12)} ${'z-score'.padStart(12)}   goal`,
    row(
      'sweep: records before detection, p95',
      fmt(sweepRecordsP95),
      fmt(p95(base.sweepRecords)),
      '≤ 200 or',
    ),
    row(
      'sweep: seconds to detection, p95',
      fmt(sweepSecondsP95, 1),
      fmt(p95(base.sweepSeconds), 1),
      '≤ 30 s',
    ),
    row(
      'sweep: seconds to detection, median',
      fmt(p50(ours.sweepSeconds), 1),
      fmt(p50(base.sweepSeconds), 1),
      '',
    ),
    row('sweep: seconds to a high (quarantine), p95', fmt(p95(ours.sweepHighSeconds), 1), '-', ''),
    row('sweeps missed (within 30 min)', missed(ours.sweepSeconds), missed(base.sweepSeconds), ''),
    row('1.5× slow leak: hours to detection, p95', fmt(leakP95, 2), fmt(p95(base.leakHours), 2), '≤ 2 h'),
    row('1.5× slow leak: hours, median', fmt(p50(ours.leakHours), 2), fmt(p50(base.leakHours), 2), ''),
    row('leaks missed (by end of day)', missed(ours.leakHours), missed(base.leakHours), ''),
    row(
      'toxic flows blocked before the egress',
      `${ours.toxicBlocked}/${ours.toxic}`,
      `${base.toxicBlocked}/${base.toxic}`,
      '100 %',
    ),
    row(
      'false alerts per agent-week (≥ medium)',
      fmt(perAgentWeek(ours), 2),
      fmt(perAgentWeek(base), 1),
      '≤ 1',
    ),
    row('events/s, one core', fmt(eventsPerS), fmt(events / baselineSeconds), '≥ 5000'),
    '',
    `  our false alerts by detector:feature ${JSON.stringify(ours.falseByDetector)}; low-severity notes (not alerts) ${lows}`,
    `  over ${round2(ours.exposureAgentDays)} clean agent-days`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const root = resolve(__dirname, '../../..');
  const summary = {
    agents,
    sweep_detect_records_p95: finiteOrNull(sweepRecordsP95, 0),
    sweep_detect_seconds_p95: finiteOrNull(sweepSecondsP95, 1),
    slow_leak_detect_hours: finiteOrNull(leakP95, 2),
    toxic_flows_blocked_ratio: ours.toxic ? round2(ours.toxicBlocked / ours.toxic) : null,
    false_alerts_per_agent_week: round2(perAgentWeek(ours)),
    events_per_s_one_core: Math.round(eventsPerS),
    baseline_false_alerts_per_agent_week: round2(perAgentWeek(base)),
    commit: commitOf(root, ['libs/access-anomaly', 'bench/access-anomaly']),
    date: new Date().toISOString(),
  };
  if (opts.write) {
    mkdirSync(resolve(root, 'docs/bench'), { recursive: true });
    writeFileSync(resolve(root, 'docs/bench/access-anomaly.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

function row(name: string, a: string, b: string, goal: string): string {
  return `  ${name.padEnd(44)} ${a.padStart(12)} ${b.padStart(12)}   ${goal}`;
}

process.exitCode = main();
