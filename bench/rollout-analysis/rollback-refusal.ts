/**
 * Rollback → refusal on the real stack: from the moment the rollout service decides to roll a
 * candidate back until ingest refuses the candidate's intents (the kill switch the rollback flips
 * is in force there). killswitch, rollout and ingest boot in this process (the real blueprints) on
 * an isolated stack; each of `--rollbacks` canaries is applied, then rolled back through the
 * rollout service's command — the same transition, store and propagation (state on the compacted
 * topic, kill switch through killswitch's API) the analysis runs when it proves harm — and the
 * time until ingest's kill-switch set covers the candidate is taken; every 10th is checked with a
 * real intent (refused, decidedBy killswitch). Writes `rollback_to_refusal_p99_ms` into
 * docs/bench/rollout-analysis.json and keeps its other keys. See docs/benchmarks.md.
 *
 *   npm run bench:rollout-refusal -- [--rollbacks 100] [--json] [--no-write]
 */
import { KillSwitchSet } from '@agentops/killswitch-client';
import {
  RunningService,
  ServiceTokenSigner,
  SigningKeyRing,
  generateSigningJwk,
  mintUserToken,
} from '@agentops/service-runtime';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { AgentRegistry } from '../../services/ingest/src/agents/agent-registry';
import { ingestBlueprint } from '../../services/ingest/src/blueprint';
import { loadIngestConfig } from '../../services/ingest/src/config';
import { killswitchBlueprint } from '../../services/killswitch/src/blueprint';
import { loadKillswitchConfig } from '../../services/killswitch/src/config';
import { rolloutBlueprint } from '../../services/rollout/src/blueprint';
import { loadRolloutConfig } from '../../services/rollout/src/config';
import { bootBenchService, prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { round2, summarize } from '../shared/stats';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const TENANT = 'maison-rbbench';
const SIGNER = SigningKeyRing.generate();
const log = (line: string) => process.stderr.write(`rollback-refusal: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseOptions(argv: string[]) {
  const o = { rollbacks: 100, json: false, write: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rollbacks') o.rollbacks = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = true;
    else if (argv[i] === '--no-write') o.write = false;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!(o.rollbacks >= 20)) throw new Error('--rollbacks must be at least 20');
  return o;
}

const canary = (key: string) => `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata: { name: ${key} }
spec:
  cohort: { tenant: ${TENANT}, selector: { role: pricing } }
  unit: params.sku
  baseline: { name: stable, agentVersion: "1" }
  candidates: [{ name: next, agentVersion: "2" }]
  steps: [{ weight: 10, minDwell: 1h, minSamplePerArm: 100000 }]
  guardrails: [{ kpi: deny_rate }]
`;

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const stack = await prepareIsolatedStack({ name: 'rbbench', database: 'agentops_bench_rb' });
  const rolloutKey = generateSigningJwk();
  const env = {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_TOPIC_PREFIX: stack.topicPrefix,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: stack.redisKeyPrefix,
    LOG_LEVEL: 'warn',
    AGENTOPS_ENV: 'development',
    AUTH_JWKS: JSON.stringify(SIGNER.publicJwks()),
    SERVICE_PRINCIPALS_JWKS: JSON.stringify({
      rollout: new ServiceTokenSigner('rollout', rolloutKey).publicJwks,
    }),
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
  };
  const running: RunningService[] = [];
  try {
    const killswitch = await bootBenchService(killswitchBlueprint, loadKillswitchConfig, {
      ...env,
      INSTANCE_ID: 'ks-rb',
    });
    running.push(killswitch);
    const rollout = await bootBenchService(rolloutBlueprint, loadRolloutConfig, {
      ...env,
      INSTANCE_ID: 'rollout-rb',
      KILLSWITCH_URL: killswitch.url,
      SERVICE_SIGNING_KEY: JSON.stringify(rolloutKey),
    });
    running.push(rollout);
    const ingest = await bootBenchService(ingestBlueprint, loadIngestConfig, {
      ...env,
      INSTANCE_ID: 'ingest-rb',
    });
    running.push(ingest);
    log(`booted killswitch, rollout and ingest (prefix ${stack.topicPrefix})`);

    const registry = AgentRegistry.of(ingest.parts.dataSource);
    const candidate = await registry.register({
      id: 'pricing-next',
      tenantId: TENANT,
      name: 'next',
      role: 'pricing',
      version: '2',
      region: 'eu',
    });
    const sre = {
      authorization: `Bearer ${await mintUserToken({ userId: 'bench-sre', tenantId: TENANT, roles: ['sre'] }, SIGNER)}`,
      'content-type': 'application/json',
    };
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const res = await fetch(url, {
        method,
        headers: sre,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };

    // When ingest's kill-switch set first covers the candidate after each rollback.
    const set = ingest.app.get(KillSwitchSet);
    let coveredAt: number | undefined;
    let flippedAt: number | undefined;
    set.onChange((c) => {
      if (
        c.kind === 'activated' &&
        coveredAt === undefined &&
        set.check(candidate.agent, 'pricing.set_price')
      ) {
        coveredAt = performance.now();
        // killswitch's clock when it took the flip (same process: the same wall clock).
        flippedAt = Date.parse(c.switch.changedAt);
      }
    });

    const samples: number[] = [];
    const commandMs: number[] = [];
    const toFlipMs: number[] = [];
    const flipToSetMs: number[] = [];
    let verified = 0;
    const run = Date.now().toString(36);
    for (let i = 0; i < opts.rollbacks; i++) {
      const applied = await call<{ id: string }>('POST', `${rollout.url}/v1/rollouts`, {
        yaml: canary(`rb-${run}-${i}`),
      });
      coveredAt = undefined;
      const t0Wall = Date.now();
      const t0 = performance.now();
      await call('POST', `${rollout.url}/v1/rollouts/${applied.id}/rollback`, {
        reason: `bench rollback ${i}`,
      });
      commandMs.push(performance.now() - t0);
      const deadline = t0 + 10_000;
      while (coveredAt === undefined && performance.now() < deadline) await sleep(1);
      if (coveredAt === undefined)
        throw new Error(`rollback ${i}: ingest did not refuse the candidate within 10 s`);
      samples.push(coveredAt - t0);
      toFlipMs.push(flippedAt! - t0Wall);
      flipToSetMs.push(coveredAt - t0 - (flippedAt! - t0Wall));
      if (i % 10 === 0) {
        const r = await fetch(`${ingest.url}/v1/intents?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': candidate.apiKey },
          body: JSON.stringify({
            action: 'pricing.set_price',
            target: { type: 'sku', id: 'S-1' },
            params: { sku: 'S-1', price: 10 },
            confidence: 0.9,
            justification: 'bench: is the rolled-back candidate refused?',
            dataUsed: [],
          }),
        });
        const decision = ((await r.json()) as { decision?: { decidedBy?: string } }).decision;
        if (decision?.decidedBy !== 'killswitch')
          throw new Error(
            `rollback ${i}: the candidate's intent was not refused: ${JSON.stringify(decision)}`,
          );
        verified++;
      }
      // Release the candidate for the next canary.
      const status = await call<{ halts: { killSwitchId: string | null }[] }>(
        'GET',
        `${rollout.url}/v1/rollouts/${applied.id}`,
      );
      for (const h of status.halts)
        if (h.killSwitchId)
          await call('POST', `${killswitch.url}/v1/killswitches/${h.killSwitchId}/release`, {
            reason: 'bench release',
          });
      // One switch per rollback: a second one (flipped by a racing catch-up) would outlive the release.
      const released = performance.now() + 5000;
      while (set.check(candidate.agent, 'pricing.set_price') && performance.now() < released) await sleep(2);
      const left = set.check(candidate.agent, 'pricing.set_price');
      if (left)
        throw new Error(`rollback ${i}: switch ${left.switchId} still halts the candidate after the release`);
    }
    const r = (x: ReturnType<typeof summarize>) => ({
      ...x,
      p50: round2(x.p50),
      p95: round2(x.p95),
      p99: round2(x.p99),
      max: round2(x.max),
      mean: round2(x.mean),
    });
    const s = r(summarize(samples));
    const c = r(summarize(commandMs));
    const f = r(summarize(toFlipMs));
    const g = r(summarize(flipToSetMs));
    const lines = [
      `rollback-refusal: ${samples.length} rollbacks through the rollout service's command, ${verified} refusals checked with a real intent`,
      `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${round2(loadavg()[0])}`,
      `  rollback command → ingest refuses the candidate: p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms (goal p99 ≤ 1000 ms)`,
      `  the first rollback after boot (connections and code cold): ${round2(samples[0])} ms`,
      `  of which rollout → killswitch takes the flip (rollback stored with its halt leased, API call): p50 ${f.p50} ms, p99 ${f.p99} ms`,
      `  and killswitch → ingest's set (flip stored, Redis fan-out): p50 ${g.p50} ms, p99 ${g.p99} ms (wall-clock ms)`,
      `  the command's own answer (stored, switch flipped, state announced, status read): p50 ${c.p50} ms, p99 ${c.p99} ms`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const root = resolve(__dirname, '../../..');
    const file = resolve(root, 'docs/bench/rollout-analysis.json');
    if (opts.write && existsSync(file)) {
      const summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      summary.rollback_to_refusal_p99_ms = s.p99;
      writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    }
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify({ rollback_to_refusal: s, first_ms: round2(samples[0]), to_flip: f, flip_to_set: g, command: c })}\n`,
      );
  } finally {
    for (const svc of running.reverse()) await svc.close().catch(() => undefined);
    await teardownIsolatedStack(stack).catch(() => undefined);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`rollback-refusal failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
