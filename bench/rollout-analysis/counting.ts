/**
 * Counting on the real stack: does the rollout service's consumer group keep up with the traffic
 * it reads? The rollout service boots in this process (its real blueprint) on an isolated stack and
 * a canary is applied to one tenant; then a backlog is put on the intents and decisions topics —
 * the canary tenant's intents (each carrying the variant its unit is assigned, as the SDK does) and
 * many other tenants' intents that belong to no rollout, each with its decision — and we time
 * until the rollout has counted every decision of its arms. The rate is events read per second,
 * all of them (a consumer of every intent and fact pays for the ones it skips, too). See
 * docs/benchmarks.md.
 *
 *   npm run bench:rollout-counting -- [--intents 2000] [--other 6000] [--tenants 10] [--json] [--no-write]
 *
 * Writes docs/bench/rollout-counting.json (the numbers below, with commit and date).
 */
import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId, silentLogger } from '@agentops/messaging';
import { servedArm } from '@agentops/rollout-analysis';
import {
  ServiceTokenSigner,
  SigningKeyRing,
  generateSigningJwk,
  mintUserToken,
  startService,
} from '@agentops/service-runtime';
import { Command } from 'commander';
import { cpus, loadavg } from 'node:os';
import { rolloutBlueprint } from '../../services/rollout/src/blueprint';
import { loadRolloutConfig } from '../../services/rollout/src/config';
import { benchServiceKafkaEnv, prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { round2 } from '../shared/stats';
import { writeBenchSummary } from '../shared/summary';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

const TENANT = 'maison-countbench';
const SIGNER = SigningKeyRing.generate();
const log = (line: string) => process.stderr.write(`rollout-counting: ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  intents: number;
  other: number;
  tenants: number;
  json: boolean;
  write: boolean;
}

// Both arms deny 5 %: nothing is proven, the rollout keeps counting to the end.
const canary = (key: string) => `
apiVersion: agentops.io/v1
kind: AgentRollout
metadata: { name: ${key} }
spec:
  cohort: { tenant: ${TENANT}, selector: { role: pricing } }
  unit: params.sku
  baseline: { name: stable, agentVersion: "1" }
  candidates: [{ name: next, agentVersion: "2" }]
  steps: [{ weight: 50, minDwell: 1h, minSamplePerArm: 1000000 }]
  guardrails: [{ kpi: deny_rate, minimumEffect: 0.1 }]
`;

type Keyed = { key: string; event: EventEnvelope };

function intentOf(tenantId: string, agentId: string, version: string, sku: string, variant?: object): Keyed {
  const intentId = newEventId();
  const data = {
    intentId,
    action: 'pricing.set_price',
    target: { type: 'sku', id: sku },
    params: { sku, price: 10 },
    confidence: 0.9,
    justification: 'bench',
    dataUsed: [],
    variant,
    agent: { id: agentId, tenantId, role: 'pricing', version, region: 'eu', labels: {} },
    proposedAt: new Date().toISOString(),
  } as IntentProposedV1;
  return {
    key: agentId,
    event: createEvent(EventTypes.IntentProposed, data, {
      source: 'agentops/ingest',
      tenantid: tenantId,
      agentid: agentId,
      correlationid: intentId,
    }),
  };
}

function decisionOf(intent: Keyed, deny: boolean): Keyed {
  const i = intent.event.data as IntentProposedV1;
  const decidedAt = new Date(Date.parse(i.proposedAt) + 15);
  const data: IntentDecidedV1 = {
    intentId: i.intentId,
    agentId: i.agent.id,
    action: i.action,
    verdict: deny ? 'deny' : 'allow',
    reasons: [],
    obligations: [],
    decidedBy: 'policy',
    decidedAt: decidedAt.toISOString(),
    expiresAt: new Date(decidedAt.getTime() + 60_000).toISOString(),
  };
  return {
    key: i.agent.id,
    event: createEvent(EventTypes.IntentDecided, data, {
      source: 'agentops/guardrail',
      tenantid: i.agent.tenantId,
      correlationid: i.intentId,
    }),
  };
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--intents <n>', "intents of the canary's tenant", (v) => Number(v), 2000)
    .option('--other <n>', 'intents of tenants without a rollout', (v) => Number(v), 6000)
    .option('--tenants <n>', 'how many such tenants', (v) => Number(v), 10)
    .option('--json', 'also print the numbers as one JSON line', false)
    .option('--no-write', 'do not write docs/bench/rollout-counting.json')
    .parse()
    .opts<Options>();
  const stack = await prepareIsolatedStack({ name: 'rcbench', database: 'agentops_bench_rc' });
  const rolloutKey = generateSigningJwk();
  const rollout = await startService(
    rolloutBlueprint,
    loadRolloutConfig({
      ...benchServiceKafkaEnv('rollout'),
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
      SERVICE_SIGNING_KEY: JSON.stringify(rolloutKey),
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      INSTANCE_ID: 'rollout-rc',
    }),
  );
  const publisher = new EventPublisher(stack.kafka, stack.topicPrefix, silentLogger);
  try {
    await publisher.connect();
    const headers = {
      authorization: `Bearer ${await mintUserToken({ userId: 'bench-sre', tenantId: TENANT, roles: ['sre'] }, SIGNER)}`,
      'content-type': 'application/json',
    };
    const res = await fetch(`${rollout.url}/v1/rollouts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ yaml: canary(`rc-${Date.now().toString(36)}`) }),
    });
    if (res.status !== 201) throw new Error(`apply: ${res.status} ${await res.text()}`);
    const applied = (await res.json()) as { id: string; key: string; salt: string };
    const served = {
      key: applied.key,
      tenantId: TENANT,
      selector: { tenantId: TENANT, role: 'pricing' as const },
      unitPath: 'params.sku',
      salt: applied.salt,
      baseline: { name: 'stable' },
      candidates: [{ name: 'next' }],
      status: 'running' as const,
      weights: { stable: 50, next: 50 },
      generation: 1,
    };

    // The backlog, in the order traffic would put it: each intent, then (a little later) its decision.
    const events: Keyed[] = [];
    const wave: Keyed[] = [];
    const total = opts.intents + opts.other;
    for (let i = 0; i < total; i++) {
      const ours = i % Math.max(1, Math.round(total / Math.max(1, opts.intents))) === 0;
      let intent: Keyed;
      if (ours) {
        const sku = `SKU-${i}`;
        const arm = servedArm(served, sku);
        intent = intentOf(TENANT, `pricing-${arm}-${i % 8}`, arm === 'next' ? '2' : '1', sku, {
          rollout: applied.key,
          name: arm,
        });
      } else {
        const t = `other-tenant-${i % opts.tenants}`;
        intent = intentOf(t, `${t}-agent-${i % 16}`, '1', `SKU-${i}`);
      }
      events.push(intent);
      wave.push(decisionOf(intent, i % 20 === 0));
      if (wave.length === 100) events.push(...wave.splice(0));
    }
    events.push(...wave);
    const counted = () =>
      fetch(`${rollout.url}/v1/rollouts/${applied.id}`, { headers })
        .then((r) => r.json() as Promise<{ analysis: { decisions: Record<string, number> } }>)
        .then((v) => Object.values(v.analysis.decisions).reduce((s, n) => s + n, 0));
    const ourDecisions = events.filter(
      (e) => e.event.type === EventTypes.IntentDecided && e.event.tenantid === TENANT,
    ).length;

    log(`${events.length} events (${ourDecisions} decisions of the canary's tenant); publishing`);
    const started = performance.now();
    for (let i = 0; i < events.length; i += 500) await publisher.publishMany(events.slice(i, i + 500));
    const published = performance.now();
    let n = 0;
    let lastProgress = published;
    let last = 0;
    while (n < ourDecisions) {
      await sleep(250);
      n = await counted();
      if (n > last) {
        last = n;
        lastProgress = performance.now();
      }
      if (performance.now() - lastProgress > 180_000)
        throw new Error(`stalled at ${n} of ${ourDecisions} decisions counted`);
    }
    const done = performance.now();
    const seconds = (done - started) / 1000;
    const out = {
      events: events.length,
      counted_decisions: n,
      publish_s: round2((published - started) / 1000),
      drain_after_publish_s: round2((done - published) / 1000),
      events_per_s: round2(events.length / seconds),
      load: round2(loadavg()[0]),
    };
    process.stdout.write(
      [
        `rollout-counting: ${out.events} events (intents and decisions; ${opts.intents} intents of the canary's tenant, ${opts.other} of ${opts.tenants} tenants without a rollout)`,
        `  node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${out.load}`,
        `  published in ${out.publish_s} s; all ${n} decisions of the canary counted ${out.drain_after_publish_s} s after the last event was published`,
        `  read and counted: ${out.events_per_s} events/s`,
      ].join('\n') + '\n',
    );
    if (opts.write)
      writeBenchSummary('rollout-counting', out, ['services/rollout', 'bench/rollout-analysis']);
    if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await publisher.disconnect().catch(() => undefined);
    await rollout.close().catch(() => undefined);
    await teardownIsolatedStack(stack).catch(() => undefined);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`rollout-counting failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
