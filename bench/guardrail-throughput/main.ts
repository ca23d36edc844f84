import {
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  Topics,
  allTopics,
  topicName,
} from '@agentops/contracts';
import {
  BatchConsumer,
  EventConsumer,
  EventPublisher,
  createEvent,
  RawTopicReader,
  newEventId,
  silentLogger,
} from '@agentops/messaging';
import { compilePolicySet } from '@agentops/policy';
import { RunningService, startService } from '@agentops/service-runtime';
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { guardrailBlueprint } from '../../services/guardrail/src/blueprint';
import { loadGuardrailConfig } from '../../services/guardrail/src/config';
import { CatalogCache } from '../../services/guardrail/src/context/catalog-cache';
import { RetailFactsCache } from '../../services/guardrail/src/context/retail-facts';
import { ActivePolicySets } from '../../services/guardrail/src/policies/active-policy-sets';
import { BASELINE } from '../../services/guardrail/src/policies/policy-scope';
import { PolicySetStore } from '../../services/guardrail/src/policies/policy-set-store';
import { caseIntent, loadFixtures, loadPolicySources } from '../../tools/policy/fixtures';
import {
  IsolatedStack,
  benchServiceKafkaEnv,
  prepareIsolatedStack,
  prepareTopicsFor,
  teardownIsolatedStack,
} from '../shared/isolated-stack';

/**
 * Guardrail throughput on Kafka: a backlog of N intents (the retail fixtures' mix, many agents so
 * every partition works) is put on the intents topic, then one guardrail instance with the whole
 * retail pack decides them; we time until the last decision is on the decisions topic. Beside it,
 * in the same run, the messaging floor: an echo consumer on the same topics that answers each
 * intent with a fixed decision through the same consumer loop and publisher, with no PostgreSQL,
 * Redis or policy work; and the batch floor: the same echo on the BatchConsumer (one produce per
 * chunk), the loop the guardrail decides on since issue #14.2. `--one-agent` puts every intent on
 * one agent (one partition, in order): the single-agent rate of the issue's goal.
 */
const PACK = 'policies/retail';
const TENANT = 'bench-tenant';

interface Options {
  count: number;
  agents: number;
  oneAgent?: boolean;
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--count <n>', 'intents in the backlog', (v) => Number(v), 3000)
    .option('--agents <n>', 'distinct agents (spread over partitions)', (v) => Number(v), 60)
    .option('--one-agent', 'every intent from one agent (one partition): the single-agent rate')
    .parse()
    .opts<Options>();
  const stack = await prepareIsolatedStack({ name: 'benchgt', database: 'agentops_bench_guardrail' });
  try {
    const intents = buildIntents(opts);
    const floor = await measureEcho(stack, intents);
    const batchFloor = await measureBatchEcho(stack, intents);
    const guardrail = await measureGuardrail(stack, intents);
    const ratio = guardrail.perSecond / floor.perSecond;
    const agents = opts.oneAgent ? 'one agent (one partition)' : `${opts.agents} agents`;
    console.log(`\nGuardrail throughput on Kafka — ${opts.count} intents, ${agents}, retail pack\n`);
    console.table([
      {
        path: 'guardrail (43 policies, PostgreSQL + Redis)',
        'intents/s': Math.round(guardrail.perSecond),
        seconds: guardrail.seconds.toFixed(2),
      },
      {
        path: 'messaging floor (echo through the same consumer loop)',
        'intents/s': Math.round(floor.perSecond),
        seconds: floor.seconds.toFixed(2),
      },
      {
        path: 'batch floor (echo on the BatchConsumer, one produce per chunk)',
        'intents/s': Math.round(batchFloor.perSecond),
        seconds: batchFloor.seconds.toFixed(2),
      },
    ]);
    console.log(`ratio guardrail/floor: ${ratio.toFixed(2)}`);
    console.log(`ratio guardrail/batch floor: ${(guardrail.perSecond / batchFloor.perSecond).toFixed(2)}`);
  } finally {
    await teardownIsolatedStack(stack);
  }
}

function buildIntents(opts: Options): { key: string; event: EventEnvelope<IntentProposedV1> }[] {
  const suite = loadFixtures(PACK);
  return Array.from({ length: opts.count }, (_, i) => {
    const c = suite.cases[i % suite.cases.length];
    const { agent, intent } = caseIntent(c);
    const id = newEventId();
    const a = {
      ...agent,
      id: opts.oneAgent ? 'bench-agent' : `${agent.role}-bench-${i % opts.agents}`,
      tenantId: TENANT,
      scopes: { actions: ['*'] },
    };
    const event = createEvent(
      EventTypes.IntentProposed,
      { ...intent, intentId: id, agent: a, proposedAt: new Date().toISOString(), dataUsed: [] },
      // As ingest announces them: the guardrail refuses intents from any other source.
      { id, source: 'agentops/ingest', tenantid: TENANT, agentid: a.id, correlationid: id },
    );
    return { key: a.id, event };
  });
}

/** Produces the backlog in batches, then waits until `expected` decisions were seen. */
async function produceAndAwait(
  stack: IsolatedStack,
  prefix: string,
  intents: { key: string; event: EventEnvelope }[],
): Promise<number> {
  const publisher = new EventPublisher(stack.kafka, prefix, silentLogger);
  await publisher.connect();
  const wanted = new Set(intents.map((i) => i.event.id));
  const done = waitForDecisions(stack, prefix, wanted);
  await done.ready;
  const started = performance.now();
  for (let i = 0; i < intents.length; i += 500) await publisher.publishMany(intents.slice(i, i + 500));
  await done.finished;
  const seconds = (performance.now() - started) / 1000;
  await publisher.disconnect();
  await done.stop();
  return seconds;
}

function waitForDecisions(stack: IsolatedStack, prefix: string, wanted: Set<string>) {
  const reader = new RawTopicReader(stack.kafka, {
    groupId: `${prefix}probe-${randomBytes(4).toString('hex')}`,
    topics: [topicName(Topics.decisions, prefix)],
    fromBeginning: true,
    maxWaitTimeInMs: 20,
  });
  let resolve!: () => void;
  const finished = new Promise<void>((r) => (resolve = r));
  const ready = reader.start((records) => {
    for (const m of records) {
      if (m.headers['ce_type'] !== EventTypes.IntentDecided) continue;
      wanted.delete((JSON.parse(m.value!.toString()) as IntentDecidedV1).intentId);
    }
    if (wanted.size === 0) resolve();
  });
  return { ready, finished, stop: () => reader.stop() };
}

async function measureEcho(
  stack: IsolatedStack,
  intents: { key: string; event: EventEnvelope<IntentProposedV1> }[],
) {
  const prefix = `${stack.topicPrefix}`;
  const publisher = new EventPublisher(stack.kafka, prefix, silentLogger);
  await publisher.connect();
  const echo = new EventConsumer(
    stack.kafka,
    publisher,
    prefix,
    echoSettings(prefix),
    silentLogger,
    'bench/echo',
  );
  await echo.start(async (event) => {
    const intent = event.data as IntentProposedV1;
    await publisher.publish(echoDecision(event), intent.agent.id);
  });
  const seconds = await produceAndAwait(stack, prefix, intents);
  await echo.stop();
  await publisher.disconnect();
  return { seconds, perSecond: intents.length / seconds };
}

/** Both echoes consume as the guardrail does: from the beginning, 5 ms waits, 6 partitions at once. */
function echoSettings(prefix: string) {
  return {
    groupId: `${prefix}echo`,
    topics: [Topics.intents.name],
    fromBeginning: true,
    maxWaitTimeInMs: 5,
    partitionsConsumedConcurrently: 6,
  };
}

/** The same echo on the BatchConsumer: one acknowledged produce per chunk of one partition. */
async function measureBatchEcho(
  stack: IsolatedStack,
  intents: { key: string; event: EventEnvelope<IntentProposedV1> }[],
) {
  const prefix = `${stack.topicPrefix}b.`;
  await prepareTopicsFor(stack, allTopics, prefix);
  const publisher = new EventPublisher(stack.kafka, prefix, silentLogger);
  await publisher.connect();
  const echo = new BatchConsumer(
    stack.kafka,
    publisher,
    prefix,
    echoSettings(prefix),
    silentLogger,
    'bench/echo',
  );
  await echo.start(async (items) => {
    await publisher.publishMany(
      items.map(({ event }) => ({
        event: echoDecision(event as EventEnvelope<IntentProposedV1>),
        key: (event.data as IntentProposedV1).agent.id,
      })),
    );
  });
  const seconds = await produceAndAwait(stack, prefix, intents);
  await echo.stop();
  await publisher.disconnect();
  return { seconds, perSecond: intents.length / seconds };
}

function echoDecision(event: EventEnvelope): EventEnvelope<IntentDecidedV1> {
  const intent = event.data as IntentProposedV1;
  return createEvent(
    EventTypes.IntentDecided,
    {
      intentId: intent.intentId,
      agentId: intent.agent.id,
      action: intent.action,
      verdict: 'allow',
      reasons: [],
      obligations: [],
      decidedBy: 'policy',
      decidedAt: event.time,
      expiresAt: event.time,
    },
    {
      source: 'bench/echo',
      tenantid: event.tenantid,
      agentid: intent.agent.id,
      correlationid: intent.intentId,
      cause: event,
    },
  );
}

async function measureGuardrail(
  stack: IsolatedStack,
  intents: { key: string; event: EventEnvelope<IntentProposedV1> }[],
) {
  // Topics of its own, so the guardrail never sees the echo run's traffic.
  const prefix = `${stack.topicPrefix}g.`;
  await prepareTopicsFor(stack, allTopics, prefix);
  const guardrail = await bootGuardrail(stack, prefix);
  try {
    const seconds = await produceAndAwait(stack, prefix, intents);
    return { seconds, perSecond: intents.length / seconds };
  } finally {
    await guardrail.close();
  }
}

async function bootGuardrail(stack: IsolatedStack, prefix: string): Promise<RunningService> {
  const guardrail = await startService(
    guardrailBlueprint,
    loadGuardrailConfig({
      ...benchServiceKafkaEnv('guardrail'),
      KAFKA_BROKERS: stack.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      LOG_LEVEL: 'warn',
      // A laptop bench: superuser database role and ephemeral keys are fine (production refuses them).
      AGENTOPS_ENV: 'development',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
    }),
  );
  const suite = loadFixtures(PACK);
  await guardrail.app
    .get(CatalogCache)
    .importCatalog(
      [...suite.catalog.values()].map(({ found: _found, ...item }) => ({ ...item, tenantId: TENANT })),
    );
  await guardrail.app.get(RetailFactsCache).importFacts(TENANT, suite.retail, 'bench');
  const compiled = compilePolicySet(loadPolicySources(PACK));
  if (!compiled.ok) throw new Error('retail pack does not compile');
  const appliedAt = await guardrail.app.get(PolicySetStore).saveActive(BASELINE, compiled.set, 'bench');
  guardrail.app
    .get(ActivePolicySets)
    .activate(BASELINE, compiled.set.version, compiled.set.policies, appliedAt);
  return guardrail;
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench:guardrail-throughput failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
