/**
 * Kill-switch propagation: how long from an operator's flip until every ingest and guardrail
 * instance refuses the covered intents, beside a raw Redis PUBLISH→SUBSCRIBE round trip on the same
 * server. Two ingest and two guardrail instances plus killswitch run in this process, first idle,
 * then under steady intent load (`--rate`). See docs/benchmarks.md § Kill-switch propagation.
 *
 *   npm run bench:killswitch-propagation -- [--flips 100] [--rate 40] [--redis-samples 500] [--json] [--no-write]
 *   npm run bench:killswitch-propagation -- --processes --rate 1000   (one OS process per instance; processes.ts)
 *
 * Writes docs/bench/killswitch-propagation.json (`idle_p99_ms`, `loaded_p99_ms`, `loaded_rate`,
 * `commit`, `date`) unless `--no-write`.
 */
import { KillSwitchSet } from '@agentops/killswitch-client';
import {
  BaseServiceConfig,
  RunningService,
  ServiceBlueprint,
  SigningKeyRing,
  mintUserToken,
} from '@agentops/service-runtime';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { guardrailBlueprint } from '../../services/guardrail/src/blueprint';
import { loadGuardrailConfig } from '../../services/guardrail/src/config';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestBlueprint } from '../../services/ingest/src/blueprint';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { killswitchBlueprint } from '../../services/killswitch/src/blueprint';
import { loadKillswitchConfig } from '../../services/killswitch/src/config';
import { SwitchCommands } from '../../services/killswitch/src/switches/switch-commands';
import { SwitchFanout } from '../../services/killswitch/src/switches/switch-fanout';
import { SwitchRepository } from '../../services/killswitch/src/switches/switch-repository';
import {
  IsolatedStack,
  bootBenchService,
  prepareIsolatedStack,
  teardownIsolatedStack,
} from '../shared/isolated-stack';
import { LatencySummary, round2, summarize } from '../shared/stats';
import { writeBenchSummary } from '../shared/summary';
import { runAcrossProcesses } from './processes';
import { parseOptions } from './options';
import { redisRoundTrip, rounded, sleep } from './probes';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const TENANT = 'maison-ksbench';
// The bench plays the console: it signs its SRE's token with a key made for this run.
const SIGNER = SigningKeyRing.generate();

const log = (line: string) => process.stderr.write(`killswitch-propagation: ${line}\n`);

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.processes) return runAcrossProcesses(opts);
  const stack: IsolatedStack = await prepareIsolatedStack({ name: 'ksbench', database: 'agentops_bench_ks' });
  const env = {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_TOPIC_PREFIX: stack.topicPrefix,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: stack.redisKeyPrefix,
    LOG_LEVEL: 'warn',
    // A laptop bench: superuser database role and ephemeral keys are fine (production refuses them).
    AGENTOPS_ENV: 'development',
    AUTH_JWKS: JSON.stringify(SIGNER.publicJwks()),
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  };
  const running: RunningService[] = [];
  let stopLoad = () => undefined as void;
  try {
    const killswitch = await bootBenchService(killswitchBlueprint, loadKillswitchConfig, {
      ...env,
      INSTANCE_ID: 'ks-bench',
    });
    running.push(killswitch);
    const enforcers: { name: string; svc: RunningService }[] = [];
    for (const [name, bp, load] of [
      ['guardrail-1', guardrailBlueprint, loadGuardrailConfig],
      ['guardrail-2', guardrailBlueprint, loadGuardrailConfig],
      ['ingest-1', ingestBlueprint, loadIngestConfig],
      ['ingest-2', ingestBlueprint, loadIngestConfig],
    ] as const) {
      const svc = await bootBenchService(
        bp as unknown as ServiceBlueprint<BaseServiceConfig>,
        load as (e: Record<string, string>) => BaseServiceConfig,
        { ...env, INSTANCE_ID: name },
      );
      running.push(svc);
      enforcers.push({ name, svc });
    }
    const ingests = enforcers.filter((e) => e.name.startsWith('ingest')).map((e) => e.svc);
    log(`booted killswitch, 2 guardrail and 2 ingest instances (prefix ${stack.topicPrefix})`);

    const registry = AgentRegistry.of(ingests[0].parts.dataSource);
    const target = await registry.register({
      id: 'pricing-target',
      tenantId: TENANT,
      name: 'target',
      role: 'pricing',
      version: '1',
      region: 'eu',
    });
    const background = await registry.register({
      id: 'service-bg',
      tenantId: TENANT,
      name: 'bg',
      role: 'service',
      version: '1',
      region: 'eu',
    });
    const sre = {
      authorization: `Bearer ${await mintUserToken({ userId: 'bench-sre', tenantId: TENANT, roles: ['sre'] }, SIGNER)}`,
      'content-type': 'application/json',
    };

    // Steady load: uncovered intents, alternating between the two ingest instances; off while the
    // idle flips are measured.
    let loadOn = false;
    let sent = 0;
    let loadErrors = 0;
    const loadTimer = setInterval(
      () => {
        if (!loadOn || opts.rate <= 0) return;
        const url = ingests[sent++ % 2].url;
        fetch(`${url}/v1/intents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': background.apiKey },
          body: JSON.stringify({
            action: 'service.send_message',
            target: { type: 'customer', id: `C-${sent}` },
            params: {},
            confidence: 0.9,
            justification: 'bench load',
            dataUsed: [],
          }),
        })
          .then((r) => void (r.status >= 300 && r.status !== 202 && loadErrors++))
          .catch(() => void loadErrors++);
      },
      opts.rate > 0 ? 1000 / opts.rate : 1000,
    );
    stopLoad = () => clearInterval(loadTimer);

    // Instrumentation: when the killswitch service starts its fan-out, and when each instance applies.
    const fanoutAt = new Map<string, number>();
    const fanout = killswitch.app.get(SwitchFanout);
    const original = fanout.publish.bind(fanout);
    fanout.publish = async (event) => {
      if (event.data.state === 'active') fanoutAt.set(event.data.switchId, performance.now());
      return original(event);
    };
    // …and where a flip's time goes before the fan-out: the use case entered (after HTTP, the
    // token check and validation), the row committed. Flips are sequential: one pending at a time.
    const steps = { entered: 0, committed: 0 };
    const commands = killswitch.app.get(SwitchCommands);
    const flipAs = commands.flipAs.bind(commands);
    commands.flipAs = (...args) => {
      steps.entered = performance.now();
      return flipAs(...args);
    };
    const repo = killswitch.app.get(SwitchRepository);
    const insertFlip = repo.insertFlip.bind(repo);
    repo.insertFlip = async (event) => {
      const row = await insertFlip(event);
      steps.committed = performance.now();
      return row;
    };
    // Flips are sequential, so each instance's latest change of each kind belongs to the current flip.
    const seen = new Map<string, { id: string; at: number }>();
    const sets = enforcers.map((e) => ({ name: e.name, set: e.svc.app.get(KillSwitchSet) }));
    for (const { name, set } of sets) {
      set.onChange((c) => seen.set(`${c.kind}:${name}`, { id: c.switch.switchId, at: performance.now() }));
    }
    const appliedEverywhere = async (kind: 'activated' | 'released', id: string): Promise<number> => {
      const deadline = performance.now() + 5000;
      for (;;) {
        const entries = sets.map((s) => seen.get(`${kind}:${s.name}`));
        if (entries.every((e) => e?.id === id)) return Math.max(...entries.map((e) => e!.at));
        if (performance.now() > deadline)
          throw new Error(`${kind} ${id} not applied on every instance within 5 s`);
        await sleep(1);
      }
    };

    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    let verified = 0;
    const ksUrl = `${killswitch.url}/v1/killswitches`;
    const measureFlips = async (flips: number) => {
      const endToEnd: number[] = [];
      const fromFanout: number[] = [];
      const toUseCase: number[] = [];
      const toCommit: number[] = [];
      for (let i = 0; i < flips; i++) {
        const t0 = performance.now();
        const res = await fetch(ksUrl, {
          method: 'POST',
          headers: sre,
          body: JSON.stringify({
            selector: { agentId: target.agent.id, action: 'pricing.*' },
            reason: `bench flip ${i}`,
          }),
        });
        const body = (await res.json()) as { id: string };
        if (res.status !== 201) throw new Error(`flip failed: ${res.status} ${JSON.stringify(body)}`);
        const at = await appliedEverywhere('activated', body.id);
        endToEnd.push(at - t0);
        fromFanout.push(at - (fanoutAt.get(body.id) ?? t0));
        toUseCase.push(steps.entered - t0);
        toCommit.push(steps.committed - steps.entered);
        for (const s of sets)
          if (s.set.check(target.agent, 'pricing.set_price')?.switchId !== body.id)
            throw new Error(`${s.name} does not refuse after flip ${i}`);
        if (i % 10 === 0) {
          // Through the real API, on both ingest instances: refused at once, decidedBy killswitch.
          for (const ingest of ingests) {
            const r = await fetch(`${ingest.url}/v1/intents?wait=true`, {
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
            });
            const decision = ((await r.json()) as { decision?: { decidedBy?: string } }).decision;
            if (decision?.decidedBy !== 'killswitch')
              throw new Error(`ingest did not refuse after flip ${i}: ${JSON.stringify(decision)}`);
            verified++;
          }
        }
        await fetch(`${ksUrl}/${body.id}/release`, {
          method: 'POST',
          headers: sre,
          body: JSON.stringify({ reason: 'bench release' }),
        });
        await appliedEverywhere('released', body.id);
        await sleep(20 + Math.random() * 30);
      }
      return { endToEnd, fromFanout, toUseCase, toCommit };
    };

    const idle = await measureFlips(opts.flips);
    log(`${opts.flips} idle flips measured; starting steady load of ${opts.rate}/s`);
    loadOn = true;
    const loadStartedAt = performance.now();
    await sleep(2000);
    loopDelay.enable();
    const { endToEnd, fromFanout, toUseCase, toCommit } = await measureFlips(opts.flips);
    stopLoad();
    // What the timer achieved, not what was asked: one process cannot always offer `--rate`.
    const achievedRate = Math.round((sent / (performance.now() - loadStartedAt)) * 1000);
    loopDelay.disable();
    log(
      `${opts.flips} flips measured; steady load ${sent} intents, ${loadErrors} errors; ${verified} API refusals verified`,
    );

    const redisRtt = await redisRoundTrip(
      stack.redisUrl,
      `${stack.redisKeyPrefix}bench-rtt`,
      opts.redisSamples,
    );
    const e2eIdle = summarize(idle.endToEnd);
    const e2e = summarize(endToEnd);
    const fan = summarize(fromFanout);
    const useCase = summarize([...idle.toUseCase, ...toUseCase]);
    const commit = summarize([...idle.toCommit, ...toCommit]);
    const rtt = summarize(redisRtt);
    const report = {
      flips: opts.flips,
      instances: { ingest: 2, guardrail: 2 },
      steadyLoad: {
        offeredPerSecond: opts.rate,
        achievedPerSecond: achievedRate,
        intents: sent,
        errors: loadErrors,
      },
      idleFlipToAllInstancesMs: rounded(e2eIdle),
      flipToAllInstancesMs: rounded(e2e),
      fanoutToAllInstancesMs: rounded(fan),
      // Both runs' flips: request → use case (HTTP, token, validation), use case → row committed.
      flipSteps: { requestToUseCaseMs: rounded(useCase), useCaseToCommitMs: rounded(commit) },
      redisPublishSubscribeRttMs: rounded(rtt),
      ratio: {
        fanoutP50: round2(fan.p50 / rtt.p50),
        fanoutP99: round2(fan.p99 / rtt.p99),
        flipP99: round2(e2e.p99 / rtt.p99),
      },
      eventLoopDelayMs: {
        p50: round2(loopDelay.percentile(50) / 1e6),
        p99: round2(loopDelay.percentile(99) / 1e6),
        max: round2(loopDelay.max / 1e6),
      },
      machine: { cpus: cpus().length, loadavg1: round2(loadavg()[0]), node: process.version },
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const row = (name: string, s: LatencySummary) =>
        `| ${name} | ${s.count} | ${round2(s.p50)} | ${round2(s.p95)} | ${round2(s.p99)} | ${round2(s.max)} |`;
      process.stdout.write(
        [
          '| measured | n | p50 ms | p95 ms | p99 ms | max ms |',
          '| :-- | --: | --: | --: | --: | --: |',
          row('idle: flip API call → all 4 instances refuse', e2eIdle),
          row(`at ${achievedRate}/s: flip API call → all 4 instances refuse`, e2e),
          row('fan-out start → all 4 instances refuse', fan),
          row('flip step: request → use case (HTTP, token, validation)', useCase),
          row('flip step: use case → row committed (PostgreSQL)', commit),
          row('raw Redis PUBLISH → SUBSCRIBE', rtt),
          '',
          `ratio fan-out/raw Redis: p50 ${report.ratio.fanoutP50}×, p99 ${report.ratio.fanoutP99}×; flip p99 / Redis p99 ${report.ratio.flipP99}×`,
          `steady load offered ${opts.rate}/s, achieved ${achievedRate}/s: ${sent} intents, ${loadErrors} errors; ${verified} refusals checked through the API`,
          `event-loop delay of the benchmark process: p50 ${report.eventLoopDelayMs.p50} ms, p99 ${report.eventLoopDelayMs.p99} ms; load average ${report.machine.loadavg1} on ${report.machine.cpus} cores`,
          '',
        ].join('\n'),
      );
    }
    if (opts.write)
      writeBenchSummary(
        'killswitch-propagation',
        { idle_p99_ms: round2(e2eIdle.p99), loaded_p99_ms: round2(e2e.p99), loaded_rate: achievedRate },
        [
          'services/killswitch',
          'services/ingest',
          'services/guardrail',
          'libs/killswitch-client',
          'bench/killswitch-propagation',
        ],
      );
  } finally {
    stopLoad();
    for (const s of running.reverse()) await s.close().catch(() => undefined);
    await teardownIsolatedStack(stack).catch((e: Error) => log(`teardown: ${e.message}`));
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    log(`failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
