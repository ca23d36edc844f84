/**
 * Policy-fire counting benchmark: decisions/s through the console's exactly-once fire counter
 * (`PolicyFireCounter.count`: dedup rows + one upsert per matched policy for a whole chunk, in one
 * statement), next to the plainest durable write of the same chunk — one multi-row INSERT of the
 * decision rows — in the same run, the same events, in chunks of `--batch` as the batch consumer
 * hands them over (`--batch 1`: one at a time, as the per-message consumer did before 2026-12-07).
 * Then a full redelivery of the same events, which must change no count. See docs/benchmarks.md
 * § Policy-fire counting.
 *
 *   npm run bench:policy-fires -- [--decisions 5000] [--reasons 12] [--rounds 2] [--batch 500] [--json]
 */
import { EventEnvelope, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import pino from 'pino';
import { loadavg } from 'node:os';
import { consoleDatabase } from '../../services/console/src/persistence/database';
import { PolicyFireCounter } from '../../services/console/src/policies/policy-fire-counter';
import { PostgresPolicyFireRepository } from '../../services/console/src/policies/policy-fire-repository';
import { SystemClock } from '@agentops/service-runtime';
import { prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { round2 } from '../shared/stats';

interface Options {
  decisions: number;
  reasons: number;
  rounds: number;
  batch: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { decisions: 5000, reasons: 12, rounds: 2, batch: 500, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') {
      o.json = true;
      continue;
    }
    const key = argv[i].replace(/^--/, '') as keyof Options;
    const value = Number(argv[++i]);
    if (!(key in o) || key === 'json' || !Number.isInteger(value) || value < 1)
      throw new Error(`bad option ${argv[i - 1]} ${argv[i] ?? ''}`);
    (o as unknown as Record<string, number>)[key] = value;
  }
  return o;
}

const progress = (line: string) => process.stderr.write(`policy-fires: ${line}\n`);
const POLICIES = 43; // the retail pack's size

/** Decisions naming `reasons` matched policies each (mostly passing, some denying), over 3 tenants. */
function makeDecisions(n: number, reasons: number): EventEnvelope<IntentDecidedV1>[] {
  return Array.from({ length: n }, (_, i) => {
    const now = new Date().toISOString();
    return createEvent(
      EventTypes.IntentDecided,
      {
        intentId: newEventId(),
        agentId: `agent-${i % 20}`,
        action: 'pricing.set_price',
        verdict: i % 7 === 0 ? 'deny' : 'allow',
        reasons: Array.from({ length: reasons }, (_, r) => {
          const p = (i + r) % POLICIES;
          return {
            policyId: `retail.policy-${p}`,
            policyVersion: '1',
            message: 'checked',
            effect: i % 7 === 0 && r === 0 ? ('deny' as const) : ('allow' as const),
            mode: p % 20 === 0 ? ('shadow' as const) : ('enforce' as const),
          };
        }),
        obligations: [],
        decidedBy: 'policy',
        decidedAt: now,
        expiresAt: now,
      },
      { source: 'agentops/guardrail', tenantid: `tenant-${i % 3}`, agentid: `agent-${i % 20}` },
    );
  });
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const load0 = loadavg()[0];
  const stack = await prepareIsolatedStack({ name: 'benchfires', database: 'agentops_bench_fires' });
  const db = new DataSource(
    serviceDataSourceOptions({
      ...consoleDatabase(),
      url: stack.databaseUrl,
      applicationName: 'bench-fires',
    }),
  );
  await db.initialize();
  const counter = new PolicyFireCounter(
    new PostgresPolicyFireRepository(db),
    new SystemClock(),
    pino({ level: 'silent' }),
  );
  await db.query(
    `CREATE TABLE bench_plain_decisions (event_id uuid PRIMARY KEY, tenant_id text NOT NULL, body jsonb NOT NULL)`,
  );
  const plain = (chunk: EventEnvelope<IntentDecidedV1>[]) =>
    db.query(
      `INSERT INTO bench_plain_decisions (event_id, tenant_id, body) SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])`,
      [chunk.map((e) => e.id), chunk.map((e) => e.tenantid), chunk.map((e) => JSON.stringify(e.data))],
    );
  const count = (chunk: EventEnvelope<IntentDecidedV1>[]) => counter.count(chunk);
  const rate = async (
    events: EventEnvelope<IntentDecidedV1>[],
    write: (chunk: EventEnvelope<IntentDecidedV1>[]) => Promise<unknown>,
  ) => {
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += o.batch) await write(events.slice(i, i + o.batch));
    return events.length / ((performance.now() - t0) / 1000);
  };
  try {
    progress('warm-up');
    const warm = makeDecisions(500, o.reasons);
    await rate(warm, count);
    await rate(warm, plain);

    const rounds: { counted: number; plain: number }[] = [];
    let all: EventEnvelope<IntentDecidedV1>[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const events = makeDecisions(o.decisions, o.reasons);
      all = all.concat(events);
      // Alternate which side goes first, so neither always gets the warmer cache.
      const first = r % 2 === 0;
      const a = first ? await rate(events, count) : 0;
      const b = await rate(events, plain);
      const counted = first ? a : await rate(events, count);
      rounds.push({ counted, plain: b });
      progress(`round ${r + 1}: counted ${Math.round(counted)}/s, plain ${Math.round(b)}/s`);
    }
    const total = async () =>
      Number(
        (
          (await db.query(`SELECT COALESCE(SUM(count), 0)::bigint AS n FROM policy_fires`)) as { n: string }[]
        )[0]!.n,
      );
    const before = await total();
    const redelivery = await rate(all, count);
    const after = await total();
    const expected = (all.length + warm.length) * o.reasons;

    const counted = rounds.reduce((s, r) => s + r.counted, 0) / rounds.length;
    const plainRate = rounds.reduce((s, r) => s + r.plain, 0) / rounds.length;
    const summary = {
      decisions: o.decisions,
      reasons: o.reasons,
      rounds: o.rounds,
      batch: o.batch,
      countedPerSecond: Math.round(counted),
      plainPerSecond: Math.round(plainRate),
      ratio: round2(counted / plainRate),
      redeliveryPerSecond: Math.round(redelivery),
      countsExact: before === expected && after === before,
      load1m: `${round2(load0)} → ${round2(loadavg()[0])}`,
    };
    console.log(
      `Policy-fire counting, ${o.decisions} decisions × ${o.rounds} rounds, ${o.reasons} matched policies each, chunks of ${o.batch}`,
    );
    console.log(`  exactly-once counter : ${summary.countedPerSecond} decisions/s`);
    console.log(
      `  plain INSERT baseline: ${summary.plainPerSecond} decisions/s (one multi-row INSERT per chunk)`,
    );
    console.log(`  ratio                : ${summary.ratio}`);
    console.log(
      `  redelivery of all    : ${summary.redeliveryPerSecond} decisions/s, counts unchanged: ${after === before}`,
    );
    console.log(`  counts exact         : ${summary.countsExact} (${after} = ${expected} expected)`);
    console.log(`  load (1 min)         : ${summary.load1m}`);
    if (o.json) console.log(JSON.stringify(summary));
  } finally {
    await db.destroy();
    await teardownIsolatedStack(stack);
  }
}

main().catch((error: Error) => {
  console.error(`policy-fires: ${error.stack ?? error.message}`);
  process.exit(1);
});
