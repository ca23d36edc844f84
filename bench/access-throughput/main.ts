import {
  AgentIdentity,
  EventEnvelope,
  EventTypes,
  IntentProposedV1,
  TelemetryRecordedV1,
  Topics,
  allTopics,
  topicName,
} from '@agentops/contracts';
import { EventPublisher, KafkaAdmin, createEvent, newEventId, silentLogger } from '@agentops/messaging';
import {
  RunningService,
  ServiceTokenSigner,
  generateSigningJwk,
  startService,
} from '@agentops/service-runtime';
import { Command } from 'commander';
import { cpus, loadavg } from 'node:os';
import { accessBlueprint } from '../../services/access/src/blueprint';
import { loadAccessConfig } from '../../services/access/src/config';
import {
  IsolatedStack,
  benchServiceKafkaEnv,
  prepareIsolatedStack,
  prepareTopicsFor,
  teardownIsolatedStack,
} from '../shared/isolated-stack';

/**
 * The access service's throughput on the real stack (issue #17, item 7): a backlog of data-access
 * reports and intents from many service agents (each agent a read then its intent, as the demo's
 * agents send them) is put on the telemetry and intents topics, and one access instance judges it;
 * we time until every partition's last event is applied in an agent's row (PostgreSQL). Beside it,
 * in the same run and on topics of its own, the baseline: the same service with ACCESS_BATCH_SIZE=1
 * and ACCESS_PARTITIONS_CONCURRENTLY=1, one row transaction per event — what the per-message consumer did before the batch consumer.
 */
interface Options {
  events: number;
  agents: number;
  baselineEvents: number;
}

const TENANT = 'bench-access';

async function main(): Promise<void> {
  const opts = new Command()
    .option('--events <n>', 'events in the backlog (half reads, half intents)', (v) => Number(v), 6000)
    .option('--agents <n>', 'distinct service agents (spread over partitions)', (v) => Number(v), 50)
    .option('--baseline-events <n>', 'events for the one-per-transaction baseline', (v) => Number(v), 1500)
    .parse()
    .opts<Options>();
  const stack = await prepareIsolatedStack({ name: 'benchax', database: 'agentops_bench_access' });
  try {
    // Both runs' topics and ACLs first: the broker applies new ACLs a moment after they are granted.
    for (const sub of ['one.', 'batch.'])
      await prepareTopicsFor(stack, allTopics, `${stack.topicPrefix}${sub}`);
    const load = loadavg()[0]!.toFixed(1);
    const one = await measure(stack, 'one.', opts.baselineEvents, opts.agents, 1);
    const batched = await measure(stack, 'batch.', opts.events, opts.agents, 500);
    console.log(
      `\nAccess service throughput on Kafka + PostgreSQL — ${opts.agents} agents, load ${load} on ${cpus().length} cores\n`,
    );
    console.table([
      { path: 'one event per transaction (batch 1, one partition at a time)', ...one },
      { path: 'batch consumer (ACCESS_BATCH_SIZE=500)', ...batched },
    ]);
    console.log(`ratio batched/one-per-transaction: ${(batched['events/s'] / one['events/s']).toFixed(2)}`);
  } finally {
    await teardownIsolatedStack(stack);
  }
}

async function measure(stack: IsolatedStack, sub: string, events: number, agents: number, batch: number) {
  const prefix = `${stack.topicPrefix}${sub}`;
  const access = await bootAccess(stack, prefix, batch);
  const publisher = new EventPublisher(stack.kafka, prefix, silentLogger);
  try {
    await publisher.connect();
    const backlog = buildBacklog(`${sub}agent-`, events, agents);
    const started = performance.now();
    for (let i = 0; i < backlog.length; i += 500) await publisher.publishMany(backlog.slice(i, i + 500));
    const ends = await lastOffsets(stack, prefix);
    await appliedUpTo(access, `${sub}agent-`, ends);
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds: Number(seconds.toFixed(2)), 'events/s': Math.round(events / seconds) };
  } finally {
    await publisher.disconnect();
    await access.close();
  }
}

function buildBacklog(idPrefix: string, events: number, agents: number) {
  const out: { key: string; event: EventEnvelope }[] = [];
  const now = Date.now();
  for (let i = 0; i < events / 2; i++) {
    const agent: AgentIdentity = {
      id: `${idPrefix}${i % agents}`,
      tenantId: TENANT,
      role: 'service',
      version: '1.0.0',
      region: 'eu-west',
      labels: {},
    };
    const at = new Date(now + i);
    const records = 3 + (i % 3);
    const read: TelemetryRecordedV1 = {
      kind: 'data_access',
      name: 'crm.customers',
      records,
      dataClasses: ['customer'],
      attributes: {},
      agentId: agent.id,
      recordedAt: at.toISOString(),
      agent: { role: agent.role, version: agent.version },
      access: {
        kind: 'read',
        source: 'crm.customers',
        dataClasses: ['customer'],
        records,
        subjectIds: [`customer_${i.toString(16).padStart(32, '0')}`],
      },
    };
    out.push({
      key: agent.id,
      event: createEvent(EventTypes.TelemetryRecorded, read, {
        source: 'agentops/ingest',
        tenantid: TENANT,
        agentid: agent.id,
        time: at,
      }),
    });
    const intentId = newEventId();
    const intent: IntentProposedV1 = {
      intentId,
      agent,
      action: 'service.send_message',
      target: { type: 'customer', id: `c-${i}` },
      params: {},
      confidence: 0.9,
      justification: 'answer the customer',
      dataUsed: [{ source: 'crm.customers', dataClasses: ['customer'], records }],
      proposedAt: at.toISOString(),
    };
    out.push({
      key: agent.id,
      event: createEvent(EventTypes.IntentProposed, intent, {
        id: intentId,
        source: 'agentops/ingest',
        tenantid: TENANT,
        agentid: agent.id,
        correlationid: intentId,
        time: at,
      }),
    });
  }
  return out;
}

/** The last offset of every non-empty partition of both topics, by `<base topic>/<partition>`. */
async function lastOffsets(stack: IsolatedStack, prefix: string): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  await KafkaAdmin.with(stack.kafka, async (admin) => {
    for (const t of [Topics.telemetry, Topics.intents])
      for (const p of await admin.topicOffsets(topicName(t, prefix)))
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${t.name}/${p.partition}`, BigInt(p.high) - 1n);
  });
  return ends;
}

/** Waits until the agents' rows record every partition's last offset as applied. */
async function appliedUpTo(access: RunningService, idPrefix: string, ends: Map<string, bigint>) {
  for (;;) {
    const rows = (await access.parts.dataSource.query(
      `SELECT offsets FROM access_agents WHERE agent_id LIKE $1`,
      [`${idPrefix}%`],
    )) as { offsets: Record<string, string> }[];
    const applied = new Map<string, bigint>();
    for (const { offsets } of rows)
      for (const [k, v] of Object.entries(offsets))
        if (!applied.has(k) || applied.get(k)! < BigInt(v)) applied.set(k, BigInt(v));
    if ([...ends].every(([k, last]) => (applied.get(k) ?? -1n) >= last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function bootAccess(stack: IsolatedStack, prefix: string, batch: number): Promise<RunningService> {
  const key = generateSigningJwk();
  return startService(
    accessBlueprint,
    loadAccessConfig({
      ...benchServiceKafkaEnv('access'),
      KAFKA_BROKERS: stack.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      LOG_LEVEL: 'error',
      AGENTOPS_ENV: 'development',
      SERVICE_PRINCIPALS_JWKS: JSON.stringify({ access: new ServiceTokenSigner('access', key).publicJwks }),
      SERVICE_SIGNING_KEY: JSON.stringify(key),
      // Ordinary reads raise nothing to quarantine; nothing listens here.
      KILLSWITCH_URL: 'http://127.0.0.1:9',
      ACCESS_BATCH_SIZE: String(batch),
      // The baseline reads one partition at a time: nothing is judged together with its event.
      ACCESS_PARTITIONS_CONCURRENTLY: batch === 1 ? '1' : '12',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      INSTANCE_ID: `access-bench-${batch}`,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:access-throughput failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
