/**
 * Consumer loops: libs/messaging's per-message EventConsumer against its BatchConsumer, in one run,
 * on one broker, over the same backlog (the same bytes, keys and partitions), with the same effect:
 *
 *   noop  the handler does nothing: what each loop costs by itself (decode, trust check, commit);
 *   pg    every event becomes a row in PostgreSQL — one INSERT per event for the per-message loop,
 *         one multi-row INSERT per chunk for the batch loop (what audit does, and guardrail will).
 *
 *   npm run bench:consumer-loops -- --count 20000 --agents 60 --rounds 2
 *
 * Throughput = events / (last handled − first handled), so the group join is not counted. The order
 * of the variants alternates between rounds. See docs/benchmarks.md.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

import { EventEnvelope, Topics } from '@agentops/contracts';
import {
  BatchConsumer,
  ConsumedEvent,
  EventConsumer,
  EventPublisher,
  KafkaAdmin,
  createEvent,
  ensureTopics,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { localAdminKafka } from '../../tools/kafka-access/local-principals';
import { round2 } from '../shared/stats';

const opts = new Command()
  .name('bench-consumer-loops')
  .option('--brokers <list>', 'bootstrap brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option(
    '--pg <url>',
    'PostgreSQL (a scratch schema is created and dropped)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--count <n>', 'events in the backlog', (v) => parseInt(v, 10), 20000)
  .option('--agents <n>', 'distinct keys (spread over 6 partitions)', (v) => parseInt(v, 10), 60)
  .option('--chunk <n>', 'BatchConsumer maxChunkSize', (v) => parseInt(v, 10), 500)
  .option('--rounds <n>', 'rounds; variant order alternates', (v) => parseInt(v, 10), 2)
  .option('--effects <list>', 'effects to measure', 'noop,pg')
  .parse(process.argv)
  .opts<{
    brokers: string;
    pg: string;
    count: number;
    agents: number;
    chunk: number;
    rounds: number;
    effects: string;
  }>();

type Variant = 'message' | 'batch';
type Effect = 'noop' | 'pg';
const RUN = `bench-loops-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const PREFIX = `${RUN}.`;
const SCHEMA = RUN.replace(/[^a-z0-9]/g, '_');
const PARTITIONS = 6;

function intent(n: number): EventEnvelope {
  const agent = `loops-agent-${n % opts.agents}`;
  return createEvent(
    'agentops.intent.proposed.v1',
    {
      intentId: newEventId(),
      action: 'pricing.set_price',
      target: { type: 'sku', id: `SKU-${n % 500}` },
      params: { price: 10 + (n % 90), currency: 'EUR' },
      confidence: 0.9,
      justification: 'competitor moved; within the floor',
      dataUsed: [{ source: 'competitor-feed', dataClasses: ['pricing'], records: 12 }],
      agent: { id: agent, tenantId: 'bench', role: 'pricing', version: '1', region: 'eu', labels: {} },
      proposedAt: new Date().toISOString(),
    },
    { source: 'agentops/ingest', tenantid: 'bench', agentid: agent },
  );
}

/** Counts distinct handled events of the backlog; resolves when all are in. */
class Finish {
  private seen = new Set<string>();
  first = 0;
  last = 0;
  private done!: () => void;
  readonly finished = new Promise<void>((r) => (this.done = r));
  constructor(private readonly total: number) {}
  /** At handler entry, so the first call's own work counts. */
  entered(): void {
    if (!this.first) this.first = performance.now();
  }
  handled(ids: string[]): void {
    const now = performance.now();
    for (const id of ids) this.seen.add(id);
    this.last = now;
    if (this.seen.size >= this.total) this.done();
  }
}

async function main(): Promise<void> {
  const kafka = localAdminKafka(opts.brokers.split(','), PREFIX, `${RUN}-admin`);
  await ensureTopics(kafka, [{ ...Topics.intents, partitions: PARTITIONS }, Topics.deadLetters], {
    prefix: PREFIX,
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });
  const publisher = new EventPublisher(kafka, PREFIX, silentLogger);
  await publisher.connect();
  const pool = new Pool({ connectionString: opts.pg, max: 8 });
  await pool.query(`CREATE SCHEMA ${SCHEMA}`);
  const effects = opts.effects.split(',') as Effect[];
  const results: Record<Effect, Record<Variant, number[]>> = {
    noop: { message: [], batch: [] },
    pg: { message: [], batch: [] },
  };
  try {
    const events = Array.from({ length: opts.count }, (_, n) => intent(n));
    for (let i = 0; i < events.length; i += 500)
      await publisher.publishMany(
        events.slice(i, i + 500).map((event) => ({ event, key: event.agentid as string })),
      );
    process.stderr.write(`${events.length} events on ${PARTITIONS} partitions, ${opts.agents} keys\n`);

    let table = 0;
    for (let round = 0; round < opts.rounds; round++)
      for (const effect of effects) {
        const order: Variant[] = round % 2 === 0 ? ['message', 'batch'] : ['batch', 'message'];
        for (const variant of order) {
          const name = `${SCHEMA}.effects_${table++}`;
          if (effect === 'pg')
            await pool.query(`CREATE TABLE ${name} (id uuid PRIMARY KEY, agent text NOT NULL)`);
          const perSecond = await measure(variant, effect, name, `${PREFIX}${variant}-${effect}-${round}`);
          results[effect][variant].push(perSecond);
          process.stderr.write(`round ${round} ${effect} ${variant}: ${Math.round(perSecond)}/s\n`);
        }
      }
  } finally {
    await publisher.disconnect();
    await pool.query(`DROP SCHEMA ${SCHEMA} CASCADE`).catch(() => undefined);
    await pool.end();
    await KafkaAdmin.with(kafka, async (admin) => {
      await admin
        .deleteGroups((await admin.listGroups()).filter((g) => g.startsWith(PREFIX)))
        .catch(() => undefined);
      await admin
        .deleteTopics((await admin.listTopics()).filter((t) => t.startsWith(PREFIX)))
        .catch(() => undefined);
    });
  }

  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  console.log(
    `\nConsumer loops — ${opts.count} events, ${opts.agents} keys, ${PARTITIONS} partitions, chunk ${opts.chunk}, ${opts.rounds} round(s)\n`,
  );
  console.log('effect  per-message (events/s)  batch (events/s)  batch / per-message');
  for (const effect of effects) {
    const m = mean(results[effect].message);
    const b = mean(results[effect].batch);
    console.log(
      `${effect.padEnd(6)}  ${String(Math.round(m)).padStart(22)}  ${String(Math.round(b)).padStart(16)}  ${round2(
        b / m,
      )
        .toFixed(2)
        .padStart(19)}`,
    );
  }
  console.log(
    '\nper round:',
    JSON.stringify(
      Object.fromEntries(
        effects.map((e) => [
          e,
          { message: results[e].message.map(Math.round), batch: results[e].batch.map(Math.round) },
        ]),
      ),
    ),
  );
}

async function measure(variant: Variant, effect: Effect, table: string, groupId: string): Promise<number> {
  const kafka = localAdminKafka(opts.brokers.split(','), PREFIX, `${groupId}-client`);
  const publisher = new EventPublisher(kafka, PREFIX, silentLogger);
  await publisher.connect();
  const pool = new Pool({ connectionString: opts.pg, max: PARTITIONS });
  const finish = new Finish(opts.count);
  const common = {
    groupId,
    topics: [Topics.intents.name],
    fromBeginning: true,
    maxWaitTimeInMs: 20,
    partitionsConsumedConcurrently: PARTITIONS,
  };
  const insert = async (items: EventEnvelope[]) => {
    await pool.query(
      `INSERT INTO ${table} (id, agent) SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`,
      [items.map((e) => e.id), items.map((e) => e.agentid as string)],
    );
  };
  let stop: () => Promise<void>;
  if (variant === 'message') {
    const consumer = new EventConsumer(kafka, publisher, PREFIX, common, silentLogger, 'agentops/audit');
    stop = () => consumer.stop();
    await consumer.start(async (event) => {
      finish.entered();
      if (effect === 'pg') await insert([event]);
      finish.handled([event.id]);
    });
  } else {
    const consumer = new BatchConsumer(
      kafka,
      publisher,
      PREFIX,
      { ...common, maxChunkSize: opts.chunk },
      silentLogger,
      'agentops/audit',
    );
    stop = () => consumer.stop();
    await consumer.start(async (items: ConsumedEvent[]) => {
      finish.entered();
      if (effect === 'pg') await insert(items.map((i) => i.event));
      finish.handled(items.map((i) => i.event.id));
    });
  }
  await finish.finished;
  await stop();
  await publisher.disconnect();
  await pool.end();
  return (opts.count - 1) / ((finish.last - finish.first) / 1000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
