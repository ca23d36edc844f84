/**
 * `--processes`: kill-switch propagation with one OS process per instance — the whole platform
 * through scripts/platform.sh with 2 ingest and 2 guardrail instances (PLATFORM_INSTANCES), the
 * intent load from a process of its own (bench/shared/intent-load.ts). Each enforcement point
 * acknowledges on Redis when its set applied a change, stamped with its own clock (one machine,
 * one clock), so "every instance refuses" is timed without sharing an event loop with any of them.
 */
import { KillSwitchApplied, killSwitchAppliedChannel } from '@agentops/killswitch-client';
import { DataSource, createRedis, serviceDataSourceOptions } from '@agentops/persistence';
import { cpus, loadavg } from 'node:os';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestDatabase } from '../../services/ingest/src/persistence/database';
import { IntentLoadResult, startIntentLoad } from '../shared/intent-load';
import { startLocalPlatform } from '../shared/local-platform';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { writeBenchSummary } from '../shared/summary';
import type { Options } from './options';
import { redisRoundTrip, rounded, sleep } from './probes';

const TENANT = 'maison-ksbench';
/** What platform.sh names the enforcement points' instances (INSTANCE_ID `<instance>-local`). */
const ENFORCERS = ['ingest-local', 'ingest-2-local', 'guardrail-local', 'guardrail-2-local'];
const LOAD_AGENTS = 20; // under ingest's per-agent rate limit (500/s) at 1,000/s in all

const log = (line: string) => process.stderr.write(`killswitch-propagation --processes: ${line}\n`);
const wallNow = () => performance.timeOrigin + performance.now();

export async function runAcrossProcesses(opts: Options): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const platform = await startLocalPlatform({
    database: process.env.BENCH_DATABASE ?? 'agentops_bench_ks_processes',
    portBase: Number(process.env.AGENTOPS_PORT_BASE ?? 3500),
    instances: { ingest: 2, guardrail: 2 },
    redisUrl,
  });
  const listener = createRedis(redisUrl, 'ksbench-acks');
  let load: { stop(): Promise<IntentLoadResult> } | undefined;
  try {
    log(
      `platform up: ingest ${platform.urls('ingest').join(' ')}, guardrail ${platform.urls('guardrail').join(' ')}`,
    );
    const { target, background } = await registerAgents(platform.adminDatabaseUrl);
    const operator = {
      authorization: `Bearer ${await platform.operatorToken('bench killswitch-propagation --processes')}`,
      'content-type': 'application/json',
    };

    // The platform's own prefixes (platform.sh sets neither): the default key prefix, no topic prefix.
    const acks = new Map<string, Map<string, number>>();
    listener.on('message', (_c: string, raw: string) => {
      const a = JSON.parse(raw) as KillSwitchApplied;
      const key = `${a.kind}:${a.switchId}`;
      if (!acks.has(key)) acks.set(key, new Map());
      acks.get(key)!.set(a.instance, a.at);
    });
    await listener.subscribe(
      killSwitchAppliedChannel({ REDIS_KEY_PREFIX: 'agentops:', KAFKA_TOPIC_PREFIX: '' }),
    );
    const appliedEverywhere = async (kind: 'activated' | 'released', id: string): Promise<number> => {
      const deadline = performance.now() + 20_000;
      for (;;) {
        const by = acks.get(`${kind}:${id}`);
        if (by && ENFORCERS.every((i) => by.has(i))) return Math.max(...ENFORCERS.map((i) => by.get(i)!));
        if (performance.now() > deadline)
          throw new Error(
            `${kind} ${id} acknowledged by ${[...(by?.keys() ?? [])].join(', ') || 'none'} within 20 s`,
          );
        await sleep(1);
      }
    };

    const ksUrl = `${platform.urls('killswitch')[0]}/v1/killswitches`;
    const ingests = platform.urls('ingest');
    let verified = 0;
    let unanswered = 0;
    const measureFlips = async (flips: number) => {
      const endToEnd: number[] = [];
      for (let i = 0; i < flips; i++) {
        const t0 = wallNow();
        const res = await fetch(ksUrl, {
          method: 'POST',
          headers: operator,
          body: JSON.stringify({
            selector: { tenantId: TENANT, agentId: target.agentId, action: 'pricing.*' },
            reason: `bench flip ${i}`,
          }),
        });
        const body = (await res.json()) as { id: string };
        if (res.status !== 201) throw new Error(`flip failed: ${res.status} ${JSON.stringify(body)}`);
        endToEnd.push((await appliedEverywhere('activated', body.id)) - t0);
        if (i % 10 === 0) {
          // Through the real API, on both ingest instances: refused at once, decidedBy killswitch.
          for (const url of ingests) {
            // Under load a check may not get through at all (ingest saturated): counted, not fatal.
            const r = await fetch(`${url}/v1/intents?wait=true`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': target.apiKey },
              body: JSON.stringify({
                action: 'pricing.set_price',
                target: { type: 'sku', id: 'S' },
                params: { price: 1 },
                confidence: 0.9,
                justification: 'bench',
                dataUsed: [],
              }),
            }).catch(() => undefined);
            if (!r) {
              unanswered++;
              continue;
            }
            const decision = ((await r.json()) as { decision?: { decidedBy?: string } }).decision;
            if (decision?.decidedBy !== 'killswitch')
              throw new Error(`ingest did not refuse after flip ${i}: ${JSON.stringify(decision)}`);
            verified++;
          }
        }
        await fetch(`${ksUrl}/${body.id}/release`, {
          method: 'POST',
          headers: operator,
          body: JSON.stringify({ reason: 'bench release' }),
        });
        await appliedEverywhere('released', body.id);
        await sleep(20 + Math.random() * 30);
      }
      return endToEnd;
    };

    const idle = summarize(await measureFlips(opts.flips));
    log(
      `${opts.flips} idle flips measured (p99 ${round2(idle.p99)} ms); load of ${opts.rate}/s from its own process`,
    );
    load = startIntentLoad({ urls: ingests, apiKeys: background, rate: opts.rate });
    await sleep(3000);
    const loadAvgBefore = loadavg()[0];
    const loaded = summarize(await measureFlips(opts.flips));
    const achieved = await load.stop();
    load = undefined;
    log(
      `${opts.flips} loaded flips measured; load sent ${achieved.sent} (${achieved.achievedRate}/s), statuses ${JSON.stringify(achieved.statuses)}, ${achieved.skipped} skipped; ${verified} API refusals verified, ${unanswered} checks unanswered`,
    );
    const rtt = summarize(await redisRoundTrip(redisUrl, 'agentops:bench-rtt', opts.redisSamples));
    const report = {
      mode: 'processes',
      flips: opts.flips,
      instances: { ingest: 2, guardrail: 2, killswitch: 1, processes: 'one per instance' },
      steadyLoad: { offeredPerSecond: opts.rate, ...achieved },
      idleFlipToAllInstancesMs: rounded(idle),
      flipToAllInstancesMs: rounded(loaded),
      redisPublishSubscribeRttMs: rounded(rtt),
      ratio: { idleP99: round2(idle.p99 / rtt.p99), loadedP99: round2(loaded.p99 / rtt.p99) },
      machine: {
        cpus: cpus().length,
        loadavg1DuringLoad: round2(loadAvgBefore),
        loadavg1: round2(loadavg()[0]),
        node: process.version,
      },
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const row = (name: string, s: LatencySummary) =>
        `| ${name} | ${s.count} | ${round2(s.p50)} | ${round2(s.p95)} | ${round2(s.p99)} | ${round2(s.max)} |`;
      process.stdout.write(
        [
          '| measured (one process per instance) | n | p50 ms | p95 ms | p99 ms | max ms |',
          '| :-- | --: | --: | --: | --: | --: |',
          row('idle: flip API call → all 4 instances refuse', idle),
          row(`at ${achieved.achievedRate}/s: flip API call → all 4 instances refuse`, loaded),
          row('raw Redis PUBLISH → SUBSCRIBE', rtt),
          '',
          `load offered ${opts.rate}/s, sent ${achieved.achievedRate}/s: ${JSON.stringify(achieved.statuses)}; ${verified} refusals checked through the API (${unanswered} unanswered)`,
          `load average ${report.machine.loadavg1DuringLoad} under load, ${report.machine.loadavg1} after, on ${report.machine.cpus} cores`,
          '',
        ].join('\n'),
      );
    }
    if (opts.write)
      writeBenchSummary(
        'killswitch-propagation',
        {
          idle_p99_ms: round2(idle.p99),
          loaded_p99_ms: round2(loaded.p99),
          loaded_rate: achieved.achievedRate,
        },
        [
          'services/killswitch',
          'services/ingest',
          'services/guardrail',
          'libs/killswitch-client',
          'bench/killswitch-propagation',
          'bench/shared',
        ],
      );
  } finally {
    await load?.stop().catch(() => undefined);
    listener.disconnect();
    await platform.stop().catch((e: Error) => log(`stop: ${e.message}`));
  }
}

/** The flipped agent, and the agents the load speaks for, registered straight into ingest's schema. */
async function registerAgents(url: string) {
  const ds = new DataSource(
    serviceDataSourceOptions({ ...ingestDatabase(), url, applicationName: 'ksbench' }),
  );
  await ds.initialize();
  try {
    const registry = AgentRegistry.of(ds);
    const run = Date.now().toString(36);
    const reg = (id: string, role: 'pricing' | 'service') =>
      registry.register({ id, tenantId: TENANT, name: id, role, version: '1', region: 'eu' });
    const target = await reg(`pricing-target-${run}`, 'pricing');
    const background: string[] = [];
    for (let i = 0; i < LOAD_AGENTS; i++)
      background.push((await reg(`service-bg-${run}-${i}`, 'service')).apiKey);
    return { target: { agentId: target.agent.id, apiKey: target.apiKey }, background };
  } finally {
    await ds.destroy();
  }
}
