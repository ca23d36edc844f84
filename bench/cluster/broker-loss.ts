/**
 * Broker loss on the local three-node cluster: no acknowledged write may be lost when one node dies.
 * Needs the cluster (`npm run infra:up -- --brokers 3`); `npm run test:cluster` starts it, runs this
 * and brings the killed node back.
 *
 *   node dist/bench/cluster/broker-loss.js --count 2000 --kill-node 1
 *
 * A fresh topic (the intents topic under a per-run prefix, replication 3, min.insync.replicas 2)
 * takes `--count` events through the project's EventPublisher (idempotent, acks=all), in chunks of
 * `--chunk`, one chunk in flight. Half-way, node `--kill-node` gets SIGKILL (no controlled
 * shutdown). A chunk that fails is sent again with the same event ids, as a service would; an event
 * counts as acknowledged once its publish resolved. Then the topic is read back from the beginning
 * (TopicTail, with the node still down) and every acknowledged id must be there.
 *
 * Prints one JSON line; exit 0 when lost = 0 and the two remaining nodes took writes after the kill,
 * 1 otherwise. `--replication 1` is the deliberately broken setup: the killed node's partition then has
 * no copy left, and the check fails.
 */
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventEnvelope, EventTypes, IntentProposedV1, Topics, topicName } from '@agentops/contracts';
import {
  EventPublisher,
  KafkaAdmin,
  TopicTail,
  createEvent,
  createKafka,
  ensureTopics,
  silentLogger,
} from '@agentops/messaging';
import { Command } from 'commander';
import { localAdminCredentials, localKafkaDir } from '../../tools/kafka-access/local-principals';

const int = (v: string): number => parseInt(v, 10);
const opts = new Command()
  .name('broker-loss')
  .option(
    '--brokers <list>',
    'bootstrap brokers of the cluster',
    process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  )
  .option('--count <n>', 'events to produce', int, 2000)
  .option('--chunk <n>', 'events per publishMany call', int, 10)
  .option('--kill-node <id>', 'node (1..3) to SIGKILL half-way', int, 1)
  .option('--partitions <n>', 'partitions of the test topic', int, 3)
  .option('--replication <n>', 'replication factor of the test topic', int, 3)
  .option('--min-isr <n>', 'min.insync.replicas of the test topic', int, 2)
  .option('--max-attempts <n>', 'sends of one chunk before the run gives up', int, 20)
  .parse(process.argv)
  .opts<{
    brokers: string;
    count: number;
    chunk: number;
    killNode: number;
    partitions: number;
    replication: number;
    minIsr: number;
    maxAttempts: number;
  }>();
const BROKERS = opts.brokers.split(',').map((b) => b.trim());
const RUN = `broker-loss-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const PREFIX = `${RUN}.`;
const TOPIC = topicName(Topics.intents, PREFIX);

function buildEvent(seq: number): EventEnvelope<IntentProposedV1> {
  const intentId = randomUUID();
  return createEvent(
    EventTypes.IntentProposed,
    {
      intentId,
      action: 'pricing.set_price',
      target: { type: 'sku', id: `SKU-${seq}` },
      params: { price: 19.99, currency: 'EUR', seq },
      confidence: 0.9,
      justification: 'broker-loss run',
      dataUsed: [],
      agent: {
        id: 'pricing-bot-1',
        tenantId: 'acme',
        role: 'pricing',
        version: '1.0.0',
        region: 'eu-west',
        labels: {},
      },
      proposedAt: new Date().toISOString(),
    },
    { source: 'agentops/ingest', tenantid: 'acme', agentid: 'pricing-bot-1', subject: intentId },
  ) as EventEnvelope<IntentProposedV1>;
}

/** The pid kafka.sh recorded for a node of the three-node cluster. */
function nodePid(node: number): number {
  const file = path.join(localKafkaDir(), 'cluster', `node-${node}`, 'kafka.pid');
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${file}`);
  return pid;
}

async function main(): Promise<number> {
  const sasl = localAdminCredentials();
  const kafka = createKafka({ brokers: BROKERS, clientId: RUN, topicPrefix: PREFIX, sasl }, silentLogger);
  await ensureTopics(kafka, [{ ...Topics.intents, partitions: opts.partitions }], {
    prefix: PREFIX,
    replicationFactor: opts.replication,
    minInsyncReplicas: opts.minIsr,
  });
  // Counts the publisher's own repair of kafkajs#1303 (partitions a send reported but no broker
  // acknowledged, sent again), so a run shows whether the defect struck and was repaired.
  let resent = 0;
  const publisherLog = {
    ...silentLogger,
    warn: (obj: object, msg?: string) => {
      if (msg?.includes('kafkajs#1303')) resent += (obj as { messages?: number }).messages ?? 0;
    },
  };
  const publisher = new EventPublisher(kafka, PREFIX, publisherLog);
  await publisher.connect();

  const events = Array.from({ length: opts.count }, (_, i) => buildEvent(i));
  const acked = new Set<string>();
  const killAt = Math.floor(opts.count / 2);
  let killedAt: number | undefined;
  let firstAckAfterKill: number | undefined;
  let ackedAfterKill = 0;
  let failedSends = 0;
  let maxChunkMs = 0;
  let produceError: string | undefined;
  const started = performance.now();
  try {
    for (let i = 0; i < events.length; i += opts.chunk) {
      if (killedAt === undefined && i >= killAt) {
        const pid = nodePid(opts.killNode);
        process.kill(pid, 'SIGKILL');
        killedAt = performance.now();
        process.stderr.write(`broker-loss: SIGKILL node ${opts.killNode} (pid ${pid}) after ${i} events\n`);
      }
      const chunk = events.slice(i, i + opts.chunk);
      for (let attempt = 1; ; attempt++) {
        const sentAt = performance.now();
        try {
          await publisher.publishMany(chunk.map((event) => ({ event, key: event.data.target.id })));
          const now = performance.now();
          maxChunkMs = Math.max(maxChunkMs, now - sentAt);
          chunk.forEach((e) => acked.add(e.id));
          if (killedAt !== undefined) {
            ackedAfterKill += chunk.length;
            firstAckAfterKill ??= now;
          }
          break;
        } catch (error) {
          failedSends++;
          process.stderr.write(
            `broker-loss: chunk at ${i} attempt ${attempt} failed: ${(error as Error).message}\n`,
          );
          if (attempt >= opts.maxAttempts) throw new Error(`chunk at ${i}: ${(error as Error).message}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    }
  } catch (error) {
    produceError = (error as Error).message;
  } finally {
    await publisher.disconnect().catch(() => undefined);
  }
  const produceMs = performance.now() - started;

  // Read everything back with the node still down.
  const seen = new Map<string, number>();
  const tail = new TopicTail(
    kafka,
    { topic: TOPIC, topicPrefix: PREFIX, groupId: `${RUN}-reader` },
    silentLogger,
  );
  let readError: string | undefined;
  // A tail waits as long as the catch-up takes; this read gives up after a minute (a partition
  // with no copy left never catches up), and stopping the tail ends its start.
  const readLimit = setTimeout(() => {
    readError = `could not read ${TOPIC} to its high watermark within 60000 ms`;
    void tail.stop();
  }, 60_000);
  try {
    await tail.start((event) => seen.set(event.id, (seen.get(event.id) ?? 0) + 1));
  } catch (error) {
    readError ??= (error as Error).message;
  } finally {
    clearTimeout(readLimit);
    await tail.stop();
  }
  const lostIds = new Set([...acked].filter((id) => !seen.has(id)));
  const lost = lostIds.size;
  // Which events (their sequence numbers) went missing: around the kill, or anywhere?
  const lostSeqs = events
    .map((e, seq) => (lostIds.has(e.id) ? seq : -1))
    .filter((seq) => seq >= 0)
    .slice(0, 50);
  const duplicates = [...seen.values()].reduce((s, n) => s + (n - 1), 0);

  // Records on the log (high - low watermarks): tells duplicates written by the producer from
  // records the reader was handed twice.
  let onLog: number[] | null = null;
  await KafkaAdmin.with(kafka, async (admin) => {
    onLog = await admin
      .topicOffsets(TOPIC)
      .then((ps) =>
        ps.sort((a, b) => a.partition - b.partition).map((p) => Number(BigInt(p.high) - BigInt(p.low))),
      )
      .catch(() => null);
    await admin.deleteTopics([TOPIC]).catch((e: Error) => process.stderr.write(`cleanup: ${e.message}\n`));
    await admin.deleteGroups([`${RUN}-reader`]).catch(() => undefined);
  });

  const result = {
    count: opts.count,
    acknowledged: acked.size,
    readBack: seen.size,
    onLog,
    lost,
    lostSeqs,
    duplicates,
    resentUnacknowledged: resent,
    killedNode: opts.killNode,
    killedAfter: killAt,
    ackedAfterKill,
    failedSends,
    recoverMs:
      killedAt !== undefined && firstAckAfterKill !== undefined
        ? Math.round(firstAckAfterKill - killedAt)
        : null,
    maxChunkMs: Math.round(maxChunkMs),
    produceMs: Math.round(produceMs),
    topic: { partitions: opts.partitions, replication: opts.replication, minIsr: opts.minIsr },
    ...(produceError ? { produceError } : {}),
    ...(readError ? { readError } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const ok = !produceError && !readError && lost === 0 && acked.size === opts.count && ackedAfterKill > 0;
  process.stderr.write(
    ok
      ? `broker-loss: OK — ${acked.size} acknowledged, ${lost} lost, writes served by 2 nodes after the kill\n`
      : `broker-loss: FAILED — ${acked.size}/${opts.count} acknowledged, ${lost} lost${produceError ? `, gave up producing: ${produceError}` : ''}${readError ? `, read back failed: ${readError}` : ''}\n`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`broker-loss: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
