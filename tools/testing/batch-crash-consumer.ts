/**
 * A BatchConsumer that dies like a killed process: it applies each chunk's effect (one line per
 * event appended to a file, the test's stand-in for a database) and, once BATCH_KILL_AFTER events
 * of agents named BATCH_AGENT_PREFIX* are applied, SIGKILLs itself before the chunk returns, so the chunk's offsets are never resolved.
 * Spawned by test/integration/batch-consumer.integration-spec.ts (from dist/, like the audit boot
 * test); not a tool anyone runs by hand.
 */
import { BatchConsumer, EventPublisher, silentLogger } from '@agentops/messaging';
import { appendFileSync } from 'node:fs';
import { localAdminKafka } from '../kafka-access/local-principals';

async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const prefix = env('BATCH_TOPIC_PREFIX');
  const effects = env('BATCH_EFFECTS_FILE');
  const killAfter = Number(env('BATCH_KILL_AFTER'));
  const agents = env('BATCH_AGENT_PREFIX');
  const kafka = localAdminKafka(env('KAFKA_BROKERS').split(','), prefix, 'batch-crash-consumer');
  const publisher = new EventPublisher(kafka, prefix, silentLogger);
  await publisher.connect();
  const consumer = new BatchConsumer(
    kafka,
    publisher,
    prefix,
    {
      groupId: env('BATCH_GROUP_ID'),
      topics: [env('BATCH_TOPIC')],
      fromBeginning: true,
      maxChunkSize: Number(env('BATCH_CHUNK_SIZE')),
      maxWaitTimeInMs: 20,
      // The broker's minimum: the group notices the dead member soon.
      sessionTimeout: 6_000,
    },
    silentLogger,
    'agentops/audit',
  );
  let applied = 0;
  await consumer.start(async (items) => {
    for (const { event, origin } of items)
      appendFileSync(
        effects,
        `${JSON.stringify({ id: event.id, partition: origin.partition, offset: origin.offset })}\n`,
      );
    applied += items.filter(({ event }) => String(event.agentid).startsWith(agents)).length;
    if (applied >= killAfter) process.kill(process.pid, 'SIGKILL');
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
