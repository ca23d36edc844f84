import { SignedCheckpoint } from '@agentops/audit-chain';
import { EventEnvelope, EventTypes, Topics, baseTopicName, topicName } from '@agentops/contracts';
import {
  EventPublisher,
  Kafka,
  PoisonMessageError,
  createEvent,
  deadLetterMessage,
  decodeTrustedEvent,
  headersToStrings,
} from '@agentops/messaging';
import type { Logger } from 'pino';
import { AppendItem, AuditAppender, chainIdOf } from '../chain/audit-appender';
import { StoredRecord } from '../records/record-content';

type Consumer = ReturnType<Kafka['consumer']>;
type RunConfig = NonNullable<Parameters<Consumer['run']>[0]>;
type EachBatchPayload = Parameters<NonNullable<RunConfig['eachBatch']>>[0];

export interface IngestorSettings {
  groupId: string;
  topics: string[];
  topicPrefix: string;
  batchSize: number;
  partitionsConsumedConcurrently: number;
  source: string;
}

/**
 * Audit's consumer: one Kafka batch of one partition → chunks appended to that partition's chain,
 * each chunk in one transaction, offsets resolved only after the chunk is stored and published.
 * Batching is what makes chaining cheap (one head lock and one multi-row insert per chunk).
 * A message that fails to decode is not recorded here (the consumer that owns it dead-letters it,
 * and the DLQ event is recorded); it is logged by position, never by content. An event whose source
 * may not produce it is not recorded as if it had happened either: audit dead-letters it itself
 * (some topics have no other consumer), so the forgery is on the record as a rejected message.
 */
export class AuditIngestor {
  private consumer?: Consumer;
  private joined = false;
  private running = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly appender: AuditAppender,
    private readonly settings: IngestorSettings,
    private readonly logger: Logger,
  ) {}

  get isReady(): boolean {
    return this.running && this.joined;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.settings.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 50,
      minBytes: 1,
      sessionTimeout: 30_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, () => {
        this.joined = true;
        resolve();
      }),
    );
    consumer.on(consumer.events.CRASH, (e) =>
      this.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'audit consumer crashed'),
    );
    await consumer.connect();
    await consumer.subscribe({
      topics: this.settings.topics.map((t) => topicName(t as never, this.settings.topicPrefix)),
      fromBeginning: true,
    });
    this.running = true;
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 500,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.settings.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await joined;
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const baseTopic = baseTopicName(batch.topic, this.settings.topicPrefix);
    const chainId = chainIdOf({ baseTopic, partition: batch.partition });
    let chunk: AppendItem[] = [];
    let chunkLastOffset: string | undefined;
    const flush = async () => {
      if (chunkLastOffset === undefined) return;
      if (chunk.length) await this.appendWithRetry(chainId, chunk, heartbeat);
      resolveOffset(chunkLastOffset);
      await heartbeat();
      chunk = [];
      chunkLastOffset = undefined;
    };
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      chunkLastOffset = message.offset;
      let event: EventEnvelope;
      const headers = headersToStrings(message.headers as never);
      try {
        event = decodeTrustedEvent(headers, message.value, baseTopic);
      } catch (error) {
        if (!(error instanceof PoisonMessageError)) throw error;
        this.logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: message.offset, reason: error.reason },
          'undecodable or unauthorized message not audited',
        );
        if (error.reason === 'unauthorized_source' && baseTopic !== Topics.deadLetters.name) {
          const { partition } = batch;
          const key = message.key ? message.key.toString('utf8') : null;
          const origin = {
            topic: batch.topic,
            partition,
            offset: message.offset,
            key,
            consumerGroup: this.settings.groupId,
          };
          const record = {
            origin,
            headers,
            value: message.value,
            reason: error.reason,
            error: error.message,
          };
          await this.publisher.publishRaw(topicName(Topics.deadLetters, this.settings.topicPrefix), [
            deadLetterMessage(record, this.settings.source),
          ]);
        }
        continue;
      }
      chunk.push({ event, origin: { baseTopic, partition: batch.partition, offset: message.offset } });
      if (chunk.length >= this.settings.batchSize) await flush();
    }
    await flush();
  }

  private async appendWithRetry(
    chainId: string,
    items: AppendItem[],
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.appender.appendBatch(chainId, items);
        await this.publish(chainId, [...result.appended, ...result.duplicates], result.checkpoints);
        return;
      } catch (error) {
        // Storage or broker trouble is transient; the batch is retried, never skipped (no gaps).
        // After a few attempts the error surfaces and kafkajs restarts the consumer from the last committed offset.
        if (attempt >= 5 || !this.running) throw error;
        this.logger.warn({ err: error, chainId, attempt }, 'audit append failed, retrying');
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5_000)));
        await heartbeat();
      }
    }
  }

  async publish(chainId: string, records: StoredRecord[], checkpoints: SignedCheckpoint[]): Promise<void> {
    const events = records.map((r) => ({
      event: auditRecordedEvent(r, this.settings.source),
      key: r.chainId,
    }));
    for (const cp of checkpoints) {
      events.push({
        event: createEvent(EventTypes.AuditCheckpointSigned, cp, {
          source: this.settings.source,
          tenantid: 'platform',
          subject: cp.chainId,
        }),
        key: chainId,
      });
    }
    if (events.length) await this.publisher.publishMany(events);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.joined = false;
    await this.consumer
      ?.disconnect()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'audit consumer disconnect failed'));
  }
}

/** The BI view of a record: after privacy treatment (pseudonyms only, no sealed values), with hashes. */
export function auditRecordedEvent(r: StoredRecord, source: string): EventEnvelope {
  return createEvent(
    EventTypes.AuditRecorded,
    {
      recordId: r.eventId,
      chainId: r.chainId,
      sequence: r.sequence,
      prevHash: r.prevHash,
      hash: r.hash,
      event: {
        id: r.eventId,
        type: r.type,
        source: r.source,
        time: r.eventTime,
        tenantId: r.tenantId,
        agentId: r.agentId ?? undefined,
        correlationId: r.correlationId ?? undefined,
        topic: r.topic,
      },
      actor: { kind: r.actorKind, id: r.actorId },
      payload: r.payload,
      recordedAt: r.recordedAt,
    },
    {
      source,
      tenantid: r.tenantId,
      agentid: r.agentId ?? undefined,
      correlationid: r.correlationId ?? undefined,
      subject: r.chainId,
    },
  );
}
