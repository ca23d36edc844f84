import { allTopics } from '@agentops/contracts';
import { KafkaAdmin } from '@agentops/messaging';
import { AgentOpsClient, Intent } from '@agentops/sdk';
import { loadavg } from 'node:os';
import { localAdminKafka } from '../kafka-access/local-principals';
import { countKinds, isHealthy } from './answers';
import { SteadyLoad } from './load';
import { LocalStack, sleep } from './local-stack';
import { writeResultsSection } from './report';
import { SoakSample, lagGrew, lagTrends, memoryGrowth } from './soak-stats';

export interface SoakSettings {
  minutes: number;
  /** Soak at this rate instead of half the measured maximum. */
  rate?: number;
  maxWaitMs: number;
  healthyLatencyMs: number;
  /** The brokers themselves (not the proxy): lag is read as the admin. */
  brokers: string[];
  /** docs/reliability.md, to write the soak's block into. */
  write?: string;
  log: (line: string) => void;
}

const STEP_MS = 20_000;
const SAMPLE_EVERY_MS = 20_000;
const MEMORY_LIMIT_PERCENT = 10;

/**
 * The highest of doubling rates the platform answers healthily (≥ 99 % decided within the latency
 * limit, and the load generator kept its schedule), each held for 20 s. From 2/s: the whole
 * platform on two shared cores saturates near 24/s when the machine is quiet, and far lower when
 * it is not (docs/reliability.md), so a start at 25/s measured nothing.
 */
async function measureMaximum(
  clients: AgentOpsClient[],
  intentOf: (n: number) => Intent,
  s: SoakSettings,
): Promise<{ max: number; steps: string[] }> {
  let max = 0;
  const steps: string[] = [];
  for (let rate = 2; rate <= 1024; rate *= 2) {
    const load = new SteadyLoad(clients, rate, intentOf, s.maxWaitMs);
    load.start();
    await sleep(STEP_MS);
    const samples = await load.stop();
    const healthy = samples.filter((a) => isHealthy(a, s.healthyLatencyMs)).length;
    const share = samples.length ? healthy / samples.length : 0;
    const achieved = samples.length / (STEP_MS / 1000);
    steps.push(`${rate}/s: ${(share * 100).toFixed(1)} % healthy, ${achieved.toFixed(0)}/s sent`);
    s.log(`maximum: ${steps[steps.length - 1]}`);
    if (share < 0.99 || achieved < rate * 0.95) break;
    max = rate;
    await sleep(5000);
  }
  return { max, steps };
}

async function groupLags(admin: KafkaAdmin): Promise<SoakSample['groups']> {
  const topics = allTopics.map((t) => t.name);
  const ends = new Map<string, Map<number, number>>();
  for (const topic of topics) {
    const offsets = await admin.topicOffsets(topic).catch(() => []);
    ends.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
  }
  const out: SoakSample['groups'] = {};
  for (const group of await admin.listGroups()) {
    let lag = 0;
    let committed = 0;
    for (const t of await admin.groupOffsets(group, topics).catch(() => [])) {
      for (const p of t.partitions) {
        const offset = Number(p.offset);
        if (offset < 0) continue;
        committed += offset;
        lag += Math.max(0, (ends.get(t.topic)?.get(p.partition) ?? offset) - offset);
      }
    }
    out[group] = { lag, committed };
  }
  return out;
}

/** Issue #19 item 6: a long run at half the measured maximum, memory and consumer lag sampled. */
export async function runSoak(
  stack: LocalStack,
  clients: AgentOpsClient[],
  intentOf: (n: number) => Intent,
  s: SoakSettings,
): Promise<void> {
  const measured = s.rate ? undefined : await measureMaximum(clients, intentOf, s);
  const rate = s.rate ?? Math.max(1, Math.floor((measured?.max ?? 0) / 2));
  s.log(
    `soaking at ${rate}/s for ${s.minutes} min${measured ? ` (half the measured maximum, ${measured.max}/s)` : ''}`,
  );
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const admin = await KafkaAdmin.open(localAdminKafka(s.brokers, '', 'agentops-chaos-soak'));
  const samples: SoakSample[] = [];
  const load = new SteadyLoad(clients, rate, intentOf, s.maxWaitMs);
  const started = Date.now();
  load.start();
  try {
    while (Date.now() - started < s.minutes * 60_000) {
      await sleep(SAMPLE_EVERY_MS);
      const rssMiB: Record<string, number> = {};
      for (const i of stack.instances()) {
        const rss = stack.rssMiB(i.pid);
        if (rss !== null) rssMiB[i.name] = rss;
      }
      samples.push({ atMs: Date.now(), rssMiB, groups: await groupLags(admin) });
      s.log(
        `soak ${((Date.now() - started) / 60_000).toFixed(1)} min: rss ${Object.entries(rssMiB)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(', ')} MiB`,
      );
    }
  } finally {
    await admin.close();
  }
  const answers = await load.stop();
  const kinds = countKinds(answers);
  const memory = memoryGrowth(samples);
  const lags = lagTrends(samples);
  const lines = [
    `Latest \`npm run chaos -- --soak --minutes ${s.minutes}\` (${new Date().toISOString()}; load average ${loadBefore} at the start,` +
      ` ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end): ${rate} intents/s` +
      (measured
        ? ` = half the measured maximum of ${measured.max}/s (${measured.steps.join('; ')})`
        : ' (given)') +
      `, ${answers.length} proposals (${kinds.decided} decided, ${kinds.fail_closed} fail-closed, ${kinds.unreachable} unreachable, ${kinds.refused} refused), ${samples.length} samples every ${SAMPLE_EVERY_MS / 1000} s.`,
    '',
    '| instance | RSS start (MiB) | RSS end (MiB) | growth | ≤ 10 % |',
    '| --- | --- | --- | --- | --- |',
    ...memory.map(
      (m) =>
        `| ${m.instance} | ${m.startMiB.toFixed(0)} | ${m.endMiB.toFixed(0)} | ${m.growthPercent.toFixed(1)} % | ${m.growthPercent <= MEMORY_LIMIT_PERCENT ? 'yes' : '**no**'} |`,
    ),
    '',
    '| consumer group | lag start | lag end | max | slope (msg/min) | grew |',
    '| --- | --- | --- | --- | --- | --- |',
    ...lags.map(
      (l) =>
        `| ${l.group} | ${l.startLag} | ${l.endLag} | ${l.maxLag} | ${l.slopePerMin.toFixed(1)} | ${lagGrew(l, rate) ? '**yes**' : 'no'} |`,
    ),
  ];
  const markdown = lines.join('\n');
  console.log(`\n${markdown}\n`);
  if (s.write) writeResultsSection(s.write, markdown, 'soak');
  const failed =
    memory.some((m) => m.growthPercent > MEMORY_LIMIT_PERCENT) || lags.some((l) => lagGrew(l, rate));
  process.exitCode = failed ? 1 : 0;
}
