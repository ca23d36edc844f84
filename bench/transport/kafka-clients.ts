/**
 * kafkajs against @platformatic/kafka on the same broker (issue #14 item 4), in one run, arms
 * alternating round by round so drift favours neither. The kafkajs arm is the platform's own code
 * path (`EventPublisher` — idempotent, acks=all, one request in flight, concurrent publishes
 * coalesced — and `RawTopicReader`); the platformatic arm is the same contract written against that
 * client (idempotent, acks=-1, the same coalescing), as it would sit behind the messaging port.
 *
 *   npm run bench:kafka-clients -- [--count 2000] [--rate 200] [--burst 20000] [--rounds 2]
 *     [--max-wait 5] [--idle-seconds 10]
 *
 * Per arm and round: the two-hop floor (request topic → responder → reply topic → requester, as
 * bench/decision-latency's floor) at `--rate` open loop, p50/p99; a burst (`--burst` events sent at
 * once, first send → last one consumed) with the CPU this process spent per event; and the CPU an
 * idle consumer spends polling with the decision path's fetch wait (`--max-wait`).
 * See docs/benchmarks.md § Kafka clients.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TopicSpec } from '@agentops/contracts';
import {
  CorrelationWaiter,
  EventPublisher,
  KafkaAdmin,
  MAX_REQUEST_BYTES,
  RawTopicReader,
  ensureTopics,
  silentLogger,
} from '@agentops/messaging';
import {
  Consumer,
  MessagesStream,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { Command } from 'commander';
import { benchIntent } from '../decision-latency/decision-path';
import { benchTopicSpec } from '../shared/isolated-stack';
import { runOpenLoop } from '../shared/open-loop';
import { round2, summarize } from '../shared/stats';
import { localAdminCredentials, localAdminKafka } from '../../tools/kafka-access/local-principals';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const program = new Command()
  .name('bench-kafka-clients')
  .option('--brokers <list>', 'bootstrap brokers', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .option('--count <n>', 'ping-pongs per arm per round', (v) => parseInt(v, 10), 2000)
  .option('--rate <n>', 'ping-pongs per second (open loop)', (v) => parseInt(v, 10), 200)
  .option('--burst <n>', 'events per arm per round in the burst', (v) => parseInt(v, 10), 20000)
  .option('--rounds <n>', 'rounds; the arm order alternates', (v) => parseInt(v, 10), 2)
  .option('--max-wait <ms>', "consumers' fetch wait (the decision path's is 5)", (v) => parseInt(v, 10), 5)
  .option('--idle-seconds <s>', 'idle consumer measured for this long', (v) => parseInt(v, 10), 10)
  .option('--json', 'print the summary as JSON')
  .parse(process.argv);
const opts = program.opts<{
  brokers: string;
  count: number;
  rate: number;
  burst: number;
  rounds: number;
  maxWait: number;
  idleSeconds: number;
  json?: boolean;
}>();

const brokers = opts.brokers.split(',');
const prefix = `benchclients${Date.now()}.`;
const CORRELATION = 'bench-id';

interface Record3 {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** What the bench needs of a client: a coalescing acks=all sender and a group consumer. */
interface ClientArm {
  readonly name: string;
  send(topic: string, records: Record3[]): Promise<void>;
  consume(group: string, topic: string, onRecord: (r: Record3) => void): Promise<void>;
  close(): Promise<void>;
}

class KafkajsArm implements ClientArm {
  readonly name = 'kafkajs (platform)';
  private readonly kafka = localAdminKafka(brokers, prefix, 'bench-kafkajs');
  private readonly publisher = new EventPublisher(this.kafka, prefix, silentLogger);
  private readonly readers: RawTopicReader[] = [];

  async start(): Promise<this> {
    await this.publisher.connect();
    return this;
  }

  send(topic: string, records: Record3[]): Promise<void> {
    return this.publisher.publishRaw(topic, records);
  }

  async consume(group: string, topic: string, onRecord: (r: Record3) => void): Promise<void> {
    const reader = new RawTopicReader(this.kafka, {
      groupId: group,
      topics: [topic],
      fromBeginning: true,
      maxWaitTimeInMs: opts.maxWait,
      partitionsConsumedConcurrently: 6,
    });
    this.readers.push(reader);
    await reader.start((records) => {
      for (const r of records) onRecord({ key: r.key, value: r.value?.toString() ?? '', headers: r.headers });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((r) => r.stop()));
    await this.publisher.disconnect();
  }
}

class PlatformaticArm implements ClientArm {
  readonly name = '@platformatic/kafka';
  private readonly sasl = (() => {
    const c = localAdminCredentials();
    return { mechanism: 'SCRAM-SHA-512' as const, username: c.username, password: c.password };
  })();
  private readonly producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: brokers,
    sasl: this.sasl,
    idempotent: true,
    acks: -1,
    serializers: stringSerializers,
  });
  private readonly consumers: Consumer<string, string, string, string>[] = [];
  private readonly streams: MessagesStream<string, string, string, string>[] = [];
  /** The same coalescing as EventPublisher: while a send is in flight, later records wait and go together. */
  private queue: { topic: string; record: Record3; done: () => void; fail: (e: unknown) => void }[] = [];
  private inFlight = false;

  send(topic: string, records: Record3[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let left = records.length;
      for (const record of records)
        this.queue.push({ topic, record, done: () => --left === 0 && resolve(), fail: reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    // As EventPublisher: a request of at most MAX_REQUEST_BYTES, so one partition's records fit
    // in one record batch under the broker's message.max.bytes.
    let bytes = 0;
    let n = 0;
    while (
      n < this.queue.length &&
      (n === 0 || bytes + this.queue[n].record.value.length <= MAX_REQUEST_BYTES)
    )
      bytes += this.queue[n++].record.value.length;
    const batch = this.queue.splice(0, n);
    try {
      await this.producer.send({
        messages: batch.map(({ topic, record }) => ({
          topic,
          key: record.key ?? undefined,
          value: record.value,
          headers: record.headers,
        })),
      });
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.fail(error);
    } finally {
      this.inFlight = false;
      void this.flush();
    }
  }

  async consume(group: string, topic: string, onRecord: (r: Record3) => void): Promise<void> {
    const consumer = new Consumer({
      groupId: group,
      clientId: `bench-platformatic-${group}`,
      bootstrapBrokers: brokers,
      sasl: this.sasl,
      deserializers: stringDeserializers,
      maxWaitTime: opts.maxWait,
      minBytes: 1,
    });
    this.consumers.push(consumer);
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: 100,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    this.streams.push(stream);
    stream.on('data', (m) =>
      onRecord({ key: m.key ?? null, value: m.value ?? '', headers: Object.fromEntries(m.headers) }),
    );
    // The group's join happens in the background: wait until partitions are assigned.
    for (let i = 0; i < 200 && consumer.assignments === null; i++) await sleep(50);
  }

  async close(): Promise<void> {
    await Promise.all(this.streams.map((s) => s.close()));
    await Promise.all(this.consumers.map((c) => c.close(true)));
    await this.producer.close();
  }
}

interface ArmRound {
  arm: string;
  round: number;
  pingPong: { p50: number; p99: number; achievedPerSec: number; failed: number };
  burst: { eventsPerSec: number; cpuUsPerEvent: number };
  idleCpuPercent: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

async function runArm(arm: ClientArm, round: number): Promise<ArmRound> {
  const tag = `${round}-${arm instanceof KafkajsArm ? 'kjs' : 'plt'}`;
  const ping = `${prefix}ping.${tag}`;
  const pong = `${prefix}pong.${tag}`;
  const burst = `${prefix}burst.${tag}`;
  const spec = (name: string): TopicSpec => benchTopicSpec(name, 'kafka clients benchmark');
  await ensureTopics(adminKafka, [spec(ping), spec(pong), spec(burst)], {
    prefix: '',
    replicationFactor: 1,
    minInsyncReplicas: 1,
  });

  const waiter = new CorrelationWaiter<true>();
  await arm.consume(`${prefix}responder.${tag}`, ping, (r) => void arm.send(pong, [r]));
  await arm.consume(`${prefix}requester.${tag}`, pong, (r) => {
    const id = r.headers[CORRELATION];
    if (id) waiter.deliver(id, true);
  });
  let burstSeen = 0;
  let burstDone: () => void = () => undefined;
  await arm.consume(`${prefix}burst.${tag}`, burst, () => {
    if (++burstSeen === opts.burst) burstDone();
  });

  // Idle first: every consumer joined, nothing to read.
  await sleep(1000);
  const idleFrom = process.cpuUsage();
  await sleep(opts.idleSeconds * 1000);
  const idleCpuPercent = round2(((cpuMs(idleFrom) / (opts.idleSeconds * 1000)) * 100) / 3);

  const loop = await runOpenLoop({ count: opts.count, ratePerSec: opts.rate }, async (i) => {
    const id = `${tag}-${i}`;
    const reply = waiter.wait(id, 10_000);
    await arm.send(ping, [
      { key: `agent-${i % 60}`, value: JSON.stringify(benchIntent(i)), headers: { [CORRELATION]: id } },
    ]);
    const r = await reply;
    if (r.kind === 'timeout') throw new Error('no pong within 10 s');
    return true as const;
  });
  const ok = loop.samples.filter((s) => s.outcome.ok).map((s) => s.latencyMs);
  const lat = summarize(ok);

  const body = JSON.stringify(benchIntent(0));
  const allSeen = new Promise<void>((resolve) => (burstDone = resolve));
  const burstFrom = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.burst }, (_, i) =>
      arm.send(burst, [{ key: `agent-${i % 60}`, value: body, headers: { [CORRELATION]: String(i) } }]),
    ),
  );
  await Promise.race([allSeen, sleep(120_000)]);
  const burstMs = performance.now() - t0;
  const burstCpu = cpuMs(burstFrom);
  if (burstSeen < opts.burst) throw new Error(`${arm.name}: burst read ${burstSeen} of ${opts.burst}`);

  return {
    arm: arm.name,
    round,
    pingPong: {
      p50: round2(lat.p50),
      p99: round2(lat.p99),
      achievedPerSec: round2((ok.length / loop.elapsedMs) * 1000),
      failed: loop.samples.length - ok.length,
    },
    burst: {
      eventsPerSec: Math.round((opts.burst / burstMs) * 1000),
      cpuUsPerEvent: round2((burstCpu * 1000) / opts.burst),
    },
    idleCpuPercent,
  };
}

const adminKafka = localAdminKafka(brokers, '', 'bench-kafka-clients-admin');

async function main(): Promise<void> {
  const results: ArmRound[] = [];
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      const order = round % 2 === 1 ? ['kafkajs', 'platformatic'] : ['platformatic', 'kafkajs'];
      for (const which of order) {
        const arm = which === 'kafkajs' ? await new KafkajsArm().start() : new PlatformaticArm();
        try {
          const r = await runArm(arm, round);
          results.push(r);
          if (!opts.json)
            console.log(
              `kafka-clients: round ${round} ${r.arm}: two-hop p50 ${r.pingPong.p50} ms p99 ${r.pingPong.p99} ms ` +
                `(${r.pingPong.achievedPerSec}/s, ${r.pingPong.failed} failed); burst ${r.burst.eventsPerSec}/s, ` +
                `${r.burst.cpuUsPerEvent} µs CPU per event; idle ${r.idleCpuPercent} % of a core per consumer`,
            );
        } finally {
          await arm.close();
        }
      }
    }
  } finally {
    await KafkaAdmin.with(adminKafka, async (admin) => {
      const groups = (await admin.listGroups()).filter((g) => g.startsWith(prefix));
      await admin.deleteGroups(groups).catch(() => undefined);
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      await admin.deleteTopics(topics, 30_000).catch(() => undefined);
    });
  }
  const mean = (arm: string, pick: (r: ArmRound) => number): number => {
    const xs = results.filter((r) => r.arm === arm).map(pick);
    return round2(xs.reduce((a, b) => a + b, 0) / xs.length);
  };
  const k = 'kafkajs (platform)';
  const p = '@platformatic/kafka';
  const ratio = (pick: (r: ArmRound) => number): number => round2(mean(p, pick) / mean(k, pick));
  const summary = {
    runId: randomUUID(),
    options: opts,
    results,
    ratios_platformatic_over_kafkajs: {
      two_hop_p50: ratio((r) => r.pingPong.p50),
      two_hop_p99: ratio((r) => r.pingPong.p99),
      burst_events_per_s: ratio((r) => r.burst.eventsPerSec),
      cpu_per_event: ratio((r) => r.burst.cpuUsPerEvent),
      idle_cpu: ratio((r) => r.idleCpuPercent),
    },
  };
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      'kafka-clients: ratios @platformatic/kafka / kafkajs:',
      summary.ratios_platformatic_over_kafkajs,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
