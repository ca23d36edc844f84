/**
 * Audit append benchmark: sustained records/s of the real append path (privacy treatment,
 * per-subject key lookup and sealing, SHA-256 over RFC 8785 JSON, chain head row lock, record +
 * index insert, periodic Ed25519 checkpoints) against plain batched INSERTs of the same events into
 * an unchained, unpartitioned table, in the same run, same batch size, same concurrency; then how
 * fast `verify` recomputes the chains. The chained path runs twice: its CPU work on the service's
 * worker pool (`--workers`, default as the service, at least 1) and, for reference, in
 * the event loop's thread (as before the pool). See docs/benchmarks.md § Audit append.
 *
 *   npm run bench:audit-append -- [--records 20000] [--batch 500] [--chains 6] [--concurrency 2] [--rounds 2] [--workers N] [--json] [--no-write]
 *
 * Writes docs/bench/audit-append.json (`ratio_vs_plain_insert`, `records_per_s`, `commit`, `date`)
 * unless `--no-write`.
 */
import { generateSigningKey } from '@agentops/audit-chain';
import { LocalKeyWrapper } from '@agentops/privacy';
import { EventEnvelope, EventTypes } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { DataSource, serviceDataSourceOptions } from '@agentops/persistence';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { AppendItem } from '../../services/audit/src/chain/append-steps';
import { AuditAppender } from '../../services/audit/src/chain/audit-appender';
import { PostgresChainAppendRepository } from '../../services/audit/src/chain/chain-append-repository';
import {
  InThreadPreparation,
  defaultPreparationWorkers,
  recordPreparation,
} from '../../services/audit/src/chain/record-preparation';
import { typeormSql } from '../../services/audit/src/chain/sql';
import { PayloadPrivacy } from '../../services/audit/src/privacy/payload-privacy';
import { SubjectKeyStore } from '../../services/audit/src/privacy/subject-key-store';
import { verifyChains } from '../../services/audit/src/verification/audit-verifier';
import { ChainReads } from '../../services/audit/src/verification/chain-reads';
import { prepareIsolatedStack, teardownIsolatedStack } from '../shared/isolated-stack';
import { round2 } from '../shared/stats';
import { writeBenchSummary } from '../shared/summary';

interface Options {
  records: number;
  batch: number;
  chains: number;
  concurrency: number;
  rounds: number;
  workers: number;
  json: boolean;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    records: 20_000,
    batch: 500,
    chains: 6,
    concurrency: 2,
    rounds: 2,
    workers: Math.max(1, defaultPreparationWorkers()),
    json: false,
    write: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--json') {
      o.json = true;
      continue;
    }
    if (flag === '--no-write') {
      o.write = false;
      continue;
    }
    const key = flag.replace(/^--/, '') as keyof Options;
    const value = Number(argv[++i]);
    const least = key === 'workers' ? 0 : 1;
    if (!(key in o) || key === 'json' || key === 'write' || !Number.isInteger(value) || value < least)
      throw new Error(`bad option ${flag} ${argv[i] ?? ''}`);
    (o as unknown as Record<string, number>)[key] = value;
  }
  return o;
}

const progress = (line: string) => process.stderr.write(`audit-append: ${line}\n`);

/** Realistic retail intents: a customer target, an email and a phone in the text, on a few tenants. */
function makeEvents(n: number, chains: number, round: number): { chainId: string; items: AppendItem[] }[] {
  const byChain = Array.from({ length: chains }, (_, p) => ({
    chainId: `agentops.intents.v1:${p}`,
    items: [] as AppendItem[],
  }));
  for (let i = 0; i < n; i++) {
    const p = i % chains;
    const c = i % 5000;
    const event: EventEnvelope = createEvent(
      EventTypes.IntentProposed,
      {
        intentId: newEventId(),
        action: 'service.issue_refund',
        target: { type: 'customer', id: `C-${c}` },
        params: { amount: 10 + (i % 90), currency: 'EUR', reason: 'damaged item' },
        confidence: 0.87,
        justification: `customer c${c}@example.com reported a damaged item, order O-${round}-${i}; call back on +44 20 7946 ${String(1000 + (i % 9000))}`,
        dataUsed: [{ source: 'orders', ref: `O-${round}-${i}`, dataClasses: ['order', 'contact'] }],
        agent: {
          id: `svc-agent-${p}`,
          tenantId: `tenant-${i % 3}`,
          role: 'service',
          version: '2.1.0',
          region: 'eu-west',
          labels: {},
        },
        proposedAt: new Date().toISOString(),
      },
      { source: 'agentops/bench', tenantid: `tenant-${i % 3}`, agentid: `svc-agent-${p}` },
    );
    byChain[p].items.push({
      event,
      origin: { baseTopic: 'agentops.intents.v1', partition: p, offset: String(round * n + i) },
    });
  }
  return byChain;
}

/**
 * Runs each chain's batches in order, `concurrency` chains at a time (one writer per chain). Not
 * counted in the CPU time: PostgreSQL's own.
 */
async function drive(
  chains: { chainId: string; items: AppendItem[] }[],
  batch: number,
  concurrency: number,
  write: (chainId: string, items: AppendItem[]) => Promise<void>,
): Promise<Drive> {
  const queue = [...chains];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) {
        for (let i = 0; i < chain.items.length; i += batch)
          await write(chain.chainId, chain.items.slice(i, i + batch));
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    ms: performance.now() - started,
    processCpuMs: (used.user + used.system) / 1000,
    mainThreadCpuMs: mainThreadCpuMs() - main,
  };
}

/**
 * CPU time of the event loop's thread alone, from /proc (Linux; its thread id is the process id),
 * in clock ticks of 10 ms; NaN elsewhere. (process.threadCpuUsage comes with Node 23.)
 */
function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return Number.NaN;
  }
}

/** Wall time, CPU time of this process (every thread) and of the event loop's thread. */
interface Drive {
  ms: number;
  processCpuMs: number;
  mainThreadCpuMs: number;
}

const PLAIN_SET = `event_id uuid, type text, source text, tenant_id text, agent_id text, correlation_id uuid, causation_id uuid,
  topic text, kafka_partition int, kafka_offset bigint, event_time text, event_ts timestamptz, payload jsonb, recorded_at timestamptz`;

async function plainInsert(ds: DataSource, items: AppendItem[]): Promise<void> {
  const now = new Date().toISOString();
  const rows = items.map(({ event, origin }) => ({
    event_id: event.id,
    type: event.type,
    source: event.source,
    tenant_id: event.tenantid,
    agent_id: event.agentid ?? null,
    correlation_id: event.correlationid ?? null,
    causation_id: event.causationid ?? null,
    topic: origin.baseTopic,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    event_time: event.time,
    event_ts: event.time,
    payload: event.data,
    recorded_at: now,
  }));
  await ds.query(
    `INSERT INTO bench_plain_records SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${PLAIN_SET}) ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const loadBefore = loadavg()[0];
  progress(
    `preparing an isolated database (${o.records} records × ${o.rounds} rounds, batch ${o.batch}, ${o.chains} chains, concurrency ${o.concurrency})`,
  );
  const stack = await prepareIsolatedStack({ name: 'auditbench', database: 'agentops_bench_audit' });
  const owner = new DataSource(
    serviceDataSourceOptions({
      url: stack.databaseUrl,
      schema: 'audit',
      entities: [],
      migrations: [],
      applicationName: 'audit-bench-owner',
      poolSize: 4,
    }),
  );
  const writer = new DataSource(
    serviceDataSourceOptions({
      url: stack.serviceUrl('audit'),
      schema: 'audit',
      entities: [],
      migrations: [],
      applicationName: 'audit-bench-writer',
      poolSize: 4,
    }),
  );
  await owner.initialize();
  await writer.initialize();
  try {
    // The baseline: the same event columns and raw payload, no chain, no privacy, no partitions.
    await owner.query(
      `CREATE TABLE bench_plain_records (${PLAIN_SET.replace('event_id uuid', 'event_id uuid PRIMARY KEY')})`,
    );
    await owner.query(`GRANT SELECT, INSERT ON bench_plain_records TO ${stack.roles.audit.login}`);
    const secret = 'bench-pseudonym-secret-0123456789abcdef';
    // One key store for both appenders: the same subjects' keys, cached the same way.
    const chains = new PostgresChainAppendRepository(
      typeormSql(writer),
      new SubjectKeyStore(new LocalKeyWrapper([randomBytes(32)])),
    );
    const checkpointPolicy = { everyRecords: 1000, everySeconds: 60 };
    const signingKey = generateSigningKey();
    const pooled = new AuditAppender(
      chains,
      recordPreparation(secret, o.workers),
      signingKey,
      checkpointPolicy,
    );
    const inThread = new AuditAppender(
      chains,
      new InThreadPreparation(new PayloadPrivacy(secret)),
      signingKey,
      checkpointPolicy,
    );
    const appendWith =
      (appender: AuditAppender) =>
      async (chainId: string, items: AppendItem[]): Promise<void> =>
        void (await appender.appendBatch(chainId, items));

    progress(`warm-up (chained path on ${o.workers} worker thread(s))`);
    const warm = makeEvents(Math.min(2000, o.records), o.chains, 999);
    await drive(warm, o.batch, o.concurrency, appendWith(pooled));
    await drive(
      makeEvents(Math.min(2000, o.records), o.chains, 998),
      o.batch,
      o.concurrency,
      appendWith(inThread),
    );
    await drive(warm, o.batch, o.concurrency, (_c, items) => plainInsert(writer, items));

    const sides = [
      {
        name: 'plain INSERT',
        write: (_c: string, items: AppendItem[]) => plainInsert(writer, items),
        runs: [] as Drive[],
      },
      { name: 'chained + privacy', write: appendWith(pooled), runs: [] as Drive[] },
      { name: 'chained + privacy, in thread', write: appendWith(inThread), runs: [] as Drive[] },
    ];
    for (let r = 0; r < o.rounds; r++) {
      // Rotate which goes first, so drift on the shared VM does not favour one side.
      for (let k = 0; k < sides.length; k++) {
        const s = (r + k) % sides.length;
        const side = sides[s];
        const run = await drive(
          makeEvents(o.records, o.chains, r * sides.length + s),
          o.batch,
          o.concurrency,
          side.write,
        );
        side.runs.push(run);
        progress(`round ${r + 1}: ${side.name} ${Math.round((o.records / run.ms) * 1000)} records/s`);
      }
    }
    await pooled.close();
    const [plainMs, chainedMs, inThreadMs] = sides.map((s) => s.runs.map((r) => r.ms));
    // Per record, over all rounds: CPU of the whole process, and of the event loop's thread alone.
    const cpuOf = (runs: Drive[]) => ({
      processCpuUsPerRecord: round2(
        (runs.reduce((a, r) => a + r.processCpuMs, 0) * 1000) / (o.records * o.rounds),
      ),
      mainThreadUsPerRecord: round2(
        (runs.reduce((a, r) => a + r.mainThreadCpuMs, 0) * 1000) / (o.records * o.rounds),
      ),
    });
    const [plainCpu, chainedCpu, inThreadCpu] = sides.map((s) => cpuOf(s.runs));

    progress('verifying every chain');
    const verify = await verifyChains(new ChainReads(typeormSql(writer)));
    if (!verify.ok) throw new Error(`verification failed: ${JSON.stringify(verify.firstFailure)}`);
    const [{ n: checkpoints }] = await writer.query(`SELECT count(*)::int AS n FROM checkpoints`);

    const total = o.records * o.rounds;
    const rateOf = (ms: number[]) => (total / ms.reduce((a, b) => a + b, 0)) * 1000;
    const chainedRate = rateOf(chainedMs);
    const plainRate = rateOf(plainMs);
    const inThreadRate = rateOf(inThreadMs);
    const summary = {
      benchmark: 'audit-append',
      options: o,
      chainedRecordsPerSec: Math.round(chainedRate),
      plainInsertRecordsPerSec: Math.round(plainRate),
      ratio: round2(chainedRate / plainRate),
      inThreadRecordsPerSec: Math.round(inThreadRate),
      inThreadRatio: round2(inThreadRate / plainRate),
      cpu: { chained: chainedCpu, inThread: inThreadCpu, plain: plainCpu },
      perRound: chainedMs.map((ms, i) => ({
        chained: Math.round((o.records / ms) * 1000),
        inThread: Math.round((o.records / inThreadMs[i]) * 1000),
        plain: Math.round((o.records / plainMs[i]) * 1000),
      })),
      verify: {
        records: verify.records,
        chains: verify.chains.length,
        ms: verify.ms,
        recordsPerSec: Math.round((verify.records / Math.max(1, verify.ms)) * 1000),
        checkpoints,
      },
      machine: {
        cpus: cpus().length,
        node: process.version,
        loadAvg1m: { before: round2(loadBefore), after: round2(loadavg()[0]) },
      },
    };
    console.log(
      `audit-append: ${total} records per side, batch ${o.batch}, ${o.chains} chains, concurrency ${o.concurrency}`,
    );
    console.log(
      `  chained + privacy : ${summary.chainedRecordsPerSec} records/s (${o.workers} worker thread(s))`,
    );
    console.log(
      `  … in thread       : ${summary.inThreadRecordsPerSec} records/s (ratio ${summary.inThreadRatio})`,
    );
    console.log(`  plain INSERT      : ${summary.plainInsertRecordsPerSec} records/s`);
    for (const [name, c] of Object.entries(summary.cpu))
      console.log(
        `  CPU per record    : ${name}: ${c.processCpuUsPerRecord} µs in this process, ${c.mainThreadUsPerRecord} µs of it on the event loop's thread`,
      );
    console.log(`  ratio             : ${summary.ratio}`);
    console.log(
      `  verify            : ${summary.verify.records} records, ${summary.verify.chains} chains, ${checkpoints} checkpoints in ${verify.ms} ms (${summary.verify.recordsPerSec} records/s)`,
    );
    console.log(
      `  load average 1m   : ${summary.machine.loadAvg1m.before} → ${summary.machine.loadAvg1m.after} on ${summary.machine.cpus} CPUs`,
    );
    if (o.json) console.log(JSON.stringify(summary));
    if (o.write)
      writeBenchSummary(
        'audit-append',
        { ratio_vs_plain_insert: summary.ratio, records_per_s: summary.chainedRecordsPerSec },
        ['services/audit', 'libs/audit-chain', 'libs/privacy', 'bench/audit-append'],
      );
  } finally {
    await writer.destroy();
    await owner.destroy();
    await teardownIsolatedStack(stack);
  }
}

main().catch((error: Error) => {
  console.error(`audit-append: ${error.stack ?? error.message}`);
  process.exit(1);
});
