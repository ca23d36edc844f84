/**
 * Transport benchmark: Nest's built-in Kafka transport (ServerKafka, `Transport.KAFKA`) against our
 * custom strategy `KafkaEventTransport` (CloudEvents decoding + zod validation, DLQ, idempotency
 * hooks), in one run, on one broker, with identical bytes on the wire (CloudEvents binary mode,
 * `encodeEvent`) and identical producer settings (idempotent, acks=all, one request in flight).
 *
 *   npm run build && npm run bench:transport -- --count 2000 --rate 500
 *
 * Phases, per round (variant order alternates between rounds so drift does not favour one side):
 *   rate:  `--count` events at `--rate`/s, open loop; latency = publish call -> handler entry.
 *   burst: `--burst-count` events sent at once; throughput = first send -> last handler entry.
 */
import 'reflect-metadata';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EventEnvelope, EventTypes, IntentProposedV1, Topics, topicName } from '@agentops/contracts';
import {
  EncodedMessage,
  EventPublisher,
  KafkaAdmin,
  createEvent,
  createKafka,
  encodeEvent,
  ensureTopics,
  silentLogger,
} from '@agentops/messaging';
import { KafkaEventTransport, MessagingRuntime, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import { Command } from 'commander';
import { localAdminCredentials } from '../../tools/kafka-access/local-principals';
import { LatencySummary, round2, summarize } from '../shared/stats';

const program = new Command()
  .name('bench-transport')
  .option(
    '--brokers <list>',
    'comma-separated bootstrap brokers',
    process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  )
  .option('--count <n>', 'events per variant per round in the rate phase', (v) => parseInt(v, 10), 2000)
  .option('--rate <n>', 'offered rate in events/s for the rate phase', (v) => parseInt(v, 10), 500)
  .option(
    '--burst-count <n>',
    'events per variant per round in the burst phase',
    (v) => parseInt(v, 10),
    10000,
  )
  .option('--rounds <n>', 'rounds; the variant order alternates between rounds', (v) => parseInt(v, 10), 2)
  .option('--partitions <n>', 'partitions of each bench topic', (v) => parseInt(v, 10), 6)
  .parse(process.argv);
const opts = program.opts<{
  brokers: string;
  count: number;
  rate: number;
  burstCount: number;
  rounds: number;
  partitions: number;
}>();
const BROKERS = opts.brokers.split(',').map((b) => b.trim());

const RUN = `bench-transport-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const PREFIX_A = `${RUN}.a.`;
const PREFIX_B = `${RUN}.b.`;
/** Both physical topics are the registry's intents topic under a per-variant prefix. */
const TOPIC_A = topicName(Topics.intents, PREFIX_A);
const TOPIC_B = topicName(Topics.intents, PREFIX_B);
const GROUP_A = `${RUN}-a`; // ServerKafka appends '-server'
const GROUP_B = `${RUN}-b`;

type Variant = 'A' | 'B';
interface BenchParams {
  phase: string;
  seq: number;
  sentAt: number;
}

/** Counts what a handler saw in the current phase; stale messages of earlier phases are ignored. */
class Tracker {
  private phase = '';
  private seen = new Set<number>();
  private latencies: number[] = [];
  private target = Infinity;
  private onDone?: () => void;
  lastAt = 0;

  reset(phase: string): void {
    this.phase = phase;
    this.seen = new Set();
    this.latencies = [];
    this.lastAt = 0;
    this.target = Infinity;
    this.onDone = undefined;
  }

  record(params: Record<string, unknown>): void {
    const now = performance.now();
    const p = params as unknown as BenchParams;
    if (p.phase !== this.phase || this.seen.has(p.seq)) return;
    this.seen.add(p.seq);
    this.latencies.push(now - p.sentAt);
    this.lastAt = now;
    if (this.seen.size >= this.target) this.onDone?.();
  }

  get count(): number {
    return this.seen.size;
  }

  get samples(): number[] {
    return this.latencies;
  }

  /** Resolves true when `n` distinct events arrived, false on timeout. */
  waitFor(n: number, timeoutMs: number): Promise<boolean> {
    if (this.seen.size >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.target = n;
      this.onDone = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

const trackers: Record<Variant, Tracker> = { A: new Tracker(), B: new Tracker() };

// ---- Variant A: Nest's ServerKafka; the pattern is the physical topic, the payload the parsed JSON body.
@Controller()
class ServerKafkaController {
  @EventPattern(TOPIC_A)
  onIntent(@Payload() data: IntentProposedV1): void {
    trackers.A.record(data.params);
  }
}
@Module({ controllers: [ServerKafkaController] })
class VariantAModule {}

// ---- Variant B: our transport; the pattern is the event type, the payload a validated envelope.
@Controller()
@UseFilters(new PropagateToConsumerLoop())
class KafkaEventTransportController {
  @EventPattern(EventTypes.IntentProposed)
  onIntent(@Payload() event: EventEnvelope<IntentProposedV1>): void {
    trackers.B.record(event.data.params);
  }
}
@Module({ controllers: [KafkaEventTransportController] })
class VariantBModule {}

function buildEvent(phase: string, seq: number): EventEnvelope<IntentProposedV1> {
  const intentId = randomUUID();
  return createEvent(
    EventTypes.IntentProposed,
    {
      intentId,
      action: 'pricing.set_price',
      target: { type: 'sku', id: `SKU-${seq % 997}` },
      params: { price: 19.99, currency: 'EUR', phase, seq, sentAt: 0 },
      confidence: 0.87,
      justification: 'Competitor dropped price by 5%',
      dataUsed: [{ source: 'competitor-feed', dataClasses: ['pricing'], records: 12 }],
      agent: {
        id: 'pricing-bot-1',
        tenantId: 'acme',
        role: 'pricing',
        version: '1.4.0',
        region: 'eu-west',
        labels: {},
      },
      proposedAt: new Date().toISOString(),
    },
    // As ingest announces them: our consumer refuses intents from any other source.
    { source: 'agentops/ingest', tenantid: 'acme', agentid: 'pricing-bot-1', subject: intentId },
  ) as EventEnvelope<IntentProposedV1>;
}

const stamp = (event: EventEnvelope<IntentProposedV1>, at: number): void => {
  (event.data.params as unknown as BenchParams).sentAt = at;
};
const keyOf = (event: EventEnvelope<IntentProposedV1>): string => event.data.target.id;

interface Senders {
  /** One event per call; concurrent calls coalesce into one request (see `coalescing`). */
  one(event: EventEnvelope<IntentProposedV1>): Promise<void>;
  /** Many events in one request. */
  many(events: EventEnvelope<IntentProposedV1>[]): Promise<void>;
}

/**
 * Sends what queued up while the previous request was in flight as one request (a linger of one
 * round trip). An idempotent acks=all producer with one request in flight manages ~250 requests/s
 * here, so one request per event at 500/s would benchmark the producer's queue, not the transport.
 */
function coalescing(many: Senders['many']): Senders['one'] {
  let pending: {
    event: EventEnvelope<IntentProposedV1>;
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  let busy = false;
  const flush = async (): Promise<void> => {
    busy = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        await many(batch.map((p) => p.event));
        batch.forEach((p) => p.resolve());
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    busy = false;
  };
  return (event) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ event, resolve, reject });
      if (!busy) void flush();
    });
}

interface PhaseResult {
  samples: number[];
  /** Publish call -> broker ack (acks=all); the producer's share of the latency. */
  acks: number[];
  received: number;
  expected: number;
  windowMs: number;
}

async function ratePhase(
  variant: Variant,
  send: Senders,
  phase: string,
  count: number,
  rate: number,
): Promise<PhaseResult> {
  const tracker = trackers[variant];
  tracker.reset(phase);
  const events = Array.from({ length: count }, (_, i) => buildEvent(phase, i));
  const intervalMs = 1000 / rate;
  const inFlight: Promise<void>[] = [];
  const acks: number[] = [];
  const start = performance.now();
  await new Promise<void>((done) => {
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      while (next < count && start + next * intervalMs <= now) {
        const event = events[next++];
        const sentAt = performance.now();
        stamp(event, sentAt);
        inFlight.push(send.one(event).then(() => void acks.push(performance.now() - sentAt)));
      }
      if (next >= count) return done();
      setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  await tracker.waitFor(count, 30_000);
  return {
    samples: tracker.samples,
    acks,
    received: tracker.count,
    expected: count,
    windowMs: tracker.lastAt - start,
  };
}

async function burstPhase(
  variant: Variant,
  send: Senders,
  phase: string,
  count: number,
): Promise<PhaseResult> {
  const tracker = trackers[variant];
  tracker.reset(phase);
  const events = Array.from({ length: count }, (_, i) => buildEvent(phase, i));
  const start = performance.now();
  for (const e of events) stamp(e, start);
  const chunks: EventEnvelope<IntentProposedV1>[][] = [];
  for (let i = 0; i < events.length; i += 500) chunks.push(events.slice(i, i + 500));
  await Promise.all(chunks.map((c) => send.many(c)));
  const acks = [performance.now() - start];
  await tracker.waitFor(count, 60_000);
  return {
    samples: tracker.samples,
    acks,
    received: tracker.count,
    expected: count,
    windowMs: tracker.lastAt - start,
  };
}

/** fromBeginning=false: wait until the group owns its partitions and fetches, then warm the JIT. */
async function warmUp(variant: Variant, send: Senders): Promise<void> {
  const tracker = trackers[variant];
  tracker.reset(`${variant}-probe`);
  const deadline = Date.now() + 60_000;
  for (let seq = 0; tracker.count === 0; seq++) {
    if (Date.now() > deadline)
      throw new Error(`variant ${variant}: no message reached the handler within 60 s`);
    const e = buildEvent(`${variant}-probe`, seq);
    stamp(e, performance.now());
    await send.one(e);
    await tracker.waitFor(1, 250);
  }
  await ratePhase(variant, send, `${variant}-warmup`, 300, 1000);
}

/** Pools the raw samples of all rounds rather than averaging percentiles. */
function pooled(results: PhaseResult[]): {
  latency: LatencySummary;
  ack: LatencySummary;
  received: number;
  expected: number;
  throughput: number;
} {
  const all = results.flatMap((r) => r.samples);
  const ack = summarize(results.flatMap((r) => r.acks));
  const received = results.reduce((s, r) => s + r.received, 0);
  const expected = results.reduce((s, r) => s + r.expected, 0);
  const windowMs = results.reduce((s, r) => s + r.windowMs, 0);
  return { latency: summarize(all), ack, received, expected, throughput: received / (windowMs / 1000) };
}

async function main(): Promise<void> {
  // Both variants authenticate the same way (SCRAM, as the local broker's admin: the bench's topics
  // are outside the services' ACLs), so only the consumer side differs.
  const sasl = localAdminCredentials();
  const adminKafka = createKafka(
    { brokers: BROKERS, clientId: `${RUN}-admin`, topicPrefix: '', sasl },
    silentLogger,
  );
  const spec = { ...Topics.intents, partitions: opts.partitions };
  await ensureTopics(adminKafka, [spec], { prefix: PREFIX_A, replicationFactor: 1, minInsyncReplicas: 1 });
  await ensureTopics(adminKafka, [spec], { prefix: PREFIX_B, replicationFactor: 1, minInsyncReplicas: 1 });

  let appA: INestMicroservice | undefined;
  let appB: INestMicroservice | undefined;
  const runtimeB = new MessagingRuntime(
    { brokers: BROKERS, clientId: `${RUN}-b`, topicPrefix: PREFIX_B, sasl },
    silentLogger,
    'bench',
  );
  // Same producer settings as EventPublisher, so only the consumer side differs.
  const producerA = new EventPublisher(
    createKafka(
      { brokers: BROKERS, clientId: `${RUN}-producer-a`, topicPrefix: PREFIX_A, sasl },
      silentLogger,
    ),
    PREFIX_A,
    silentLogger,
  );
  const toMessage = (e: EventEnvelope<IntentProposedV1>): EncodedMessage => encodeEvent(e, keyOf(e));
  const sendManyA = async (es: EventEnvelope<IntentProposedV1>[]): Promise<void> => {
    await producerA.publishRaw(TOPIC_A, es.map(toMessage));
  };
  const sendManyB = (es: EventEnvelope<IntentProposedV1>[]): Promise<void> =>
    runtimeB.publisher.publishMany(es.map((event) => ({ event, key: keyOf(event) })));
  const senders: Record<Variant, Senders> = {
    A: {
      many: sendManyA,
      one: coalescing(sendManyA),
    },
    B: {
      many: sendManyB,
      one: coalescing(sendManyB),
    },
  };

  try {
    appA = await NestFactory.createMicroservice<MicroserviceOptions>(VariantAModule, {
      transport: Transport.KAFKA,
      options: {
        client: { brokers: BROKERS, clientId: `${RUN}-a`, sasl: { ...sasl, mechanism: 'scram-sha-512' } },
        consumer: { groupId: GROUP_A, maxWaitTimeInMs: 5 },
        subscribe: { fromBeginning: false },
      },
      logger: false,
    });
    appB = await NestFactory.createMicroservice<MicroserviceOptions>(VariantBModule, {
      strategy: new KafkaEventTransport(runtimeB, [
        {
          name: 'b',
          groupId: GROUP_B,
          topics: [Topics.intents.name],
          fromBeginning: false,
          maxWaitTimeInMs: 5,
        },
      ]),
      logger: false,
    });
    await Promise.all([appA.listen(), appB.listen(), producerA.connect(), runtimeB.connect()]);
    await warmUp('A', senders.A);
    await warmUp('B', senders.B);

    const rate: Record<Variant, PhaseResult[]> = { A: [], B: [] };
    const burst: Record<Variant, PhaseResult[]> = { A: [], B: [] };
    for (let round = 0; round < opts.rounds; round++) {
      const order: Variant[] = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const v of order) {
        rate[v].push(await ratePhase(v, senders[v], `${v}-rate-${round}`, opts.count, opts.rate));
        process.stderr.write(`round ${round} ${v} rate done\n`);
      }
      for (const v of order) {
        burst[v].push(await burstPhase(v, senders[v], `${v}-burst-${round}`, opts.burstCount));
        process.stderr.write(`round ${round} ${v} burst done\n`);
      }
    }
    report(rate, burst);
  } finally {
    await appA?.close().catch(() => undefined);
    await appB?.close().catch(() => undefined);
    await runtimeB.shutdown().catch(() => undefined);
    await producerA.disconnect().catch(() => undefined);
    await KafkaAdmin.with(adminKafka, async (admin) => {
      await admin
        .deleteTopics([TOPIC_A, TOPIC_B])
        .catch((e: Error) => console.error(`topic cleanup failed: ${e.message}`));
      await admin.deleteGroups([`${GROUP_A}-server`, GROUP_B]).catch(() => undefined);
    });
  }
}

function report(rate: Record<Variant, PhaseResult[]>, burst: Record<Variant, PhaseResult[]>): void {
  const r = { A: pooled(rate.A), B: pooled(rate.B) };
  const b = { A: pooled(burst.A), B: pooled(burst.B) };
  const rows: string[][] = [];
  const label: Record<Variant, string> = {
    A: 'A  Nest ServerKafka (Transport.KAFKA)',
    B: 'B  KafkaEventTransport (ours)',
  };
  const f = (n: number): string => round2(n).toFixed(2);
  for (const v of ['A', 'B'] as Variant[]) {
    rows.push([
      label[v],
      f(r[v].latency.p50),
      f(r[v].latency.p95),
      f(r[v].latency.p99),
      f(r[v].latency.max),
      f(r[v].ack.p50),
      r[v].throughput.toFixed(0),
      b[v].throughput.toFixed(0),
      f(b[v].latency.p50),
      f(b[v].latency.p99),
      `${r[v].received + b[v].received}/${r[v].expected + b[v].expected}`,
    ]);
  }
  const ratio = (x: number, y: number): string => (x / y).toFixed(2);
  rows.push([
    'ratio B/A',
    ratio(r.B.latency.p50, r.A.latency.p50),
    ratio(r.B.latency.p95, r.A.latency.p95),
    ratio(r.B.latency.p99, r.A.latency.p99),
    ratio(r.B.latency.max, r.A.latency.max),
    ratio(r.B.ack.p50, r.A.ack.p50),
    ratio(r.B.throughput, r.A.throughput),
    ratio(b.B.throughput, b.A.throughput),
    ratio(b.B.latency.p50, b.A.latency.p50),
    ratio(b.B.latency.p99, b.A.latency.p99),
    '',
  ]);
  const header = [
    'variant',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'ack p50 ms',
    'sustained msg/s',
    'burst msg/s',
    'burst p50 ms',
    'burst p99 ms',
    'received',
  ];
  console.log(
    `\ntransport benchmark  run=${RUN}  partitions=${opts.partitions}  rate phase: ${opts.rounds}x${opts.count} events/variant at ${opts.rate}/s` +
      `  burst phase: ${opts.rounds}x${opts.burstCount} events/variant\n` +
      'latency = publish call (acks=all) -> @EventPattern handler entry, same process, same broker\n',
  );
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i === 0 ? ':--' : '--:')).join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
