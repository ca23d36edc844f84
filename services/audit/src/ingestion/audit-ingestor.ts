import { SignedCheckpoint } from '@agentops/audit-chain';
import { EventEnvelope, EventTypes, allTopics, auditOwnsRefusals } from '@agentops/contracts';
import {
  BatchConsumer,
  BatchContext,
  BatchProcessorObserver,
  ConsumedEvent,
  EventPublisher,
  KafkaClient,
  createEvent,
} from '@agentops/messaging';
import type { Logger } from 'pino';
import { chainIdOf } from '../chain/append-steps';
import { AuditAppender } from '../chain/audit-appender';
import { StoredRecord } from '../records/record-content';

export interface IngestorSettings {
  groupId: string;
  topics: string[];
  topicPrefix: string;
  batchSize: number;
  partitionsConsumedConcurrently: number;
  source: string;
}

/**
 * Audit's consumer, on the messaging lib's BatchConsumer: one chunk of one partition's fetch →
 * appended to that partition's chain in one transaction, then published; the lib resolves the
 * offsets only after that. Batching is what makes chaining cheap (one head lock and one multi-row
 * insert per chunk).
 * A message that fails to decode is not recorded here (the consumer that owns it dead-letters it,
 * and the DLQ event is recorded); the lib logs it by position, never by content. An event whose
 * source may not produce it is not recorded as if it had happened either: audit dead-letters it
 * itself (some topics have no other consumer), so the forgery is on the record as a rejected message.
 * A chunk that keeps failing (storage or broker trouble) is never skipped: it is redelivered, so the
 * chain has no gaps.
 */
export class AuditIngestor {
  private readonly consumer: BatchConsumer;

  constructor(
    client: KafkaClient,
    private readonly publisher: EventPublisher,
    private readonly appender: AuditAppender,
    private readonly settings: IngestorSettings,
    logger: Logger,
    /** The service's metrics: consumer lag, append lag (event age at append), dead letters. */
    observer: BatchProcessorObserver = {},
  ) {
    this.consumer = new BatchConsumer(
      client,
      publisher,
      settings.topicPrefix,
      {
        groupId: settings.groupId,
        topics: settings.topics,
        fromBeginning: true,
        maxChunkSize: settings.batchSize,
        maxBytesPerPartition: 4 * 1024 * 1024,
        // Appends half a second behind at most, in larger chunks (libs/messaging fetch-wait).
        batchedFetch: true,
        sessionTimeout: 30_000,
        rebalanceTimeout: 30_000,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        maxAttempts: 5,
        retryBaseDelayMs: 400,
        // Refusals are the owning consumer's to dead-letter; audit records what was accepted. On
        // state topics (followed by per-instance tails) and topics no one else reads, audit owns them.
        deadLetterReasons: ['unauthorized_source'],
        deadLetterAllOn: allTopics.filter(auditOwnsRefusals).map((t) => t.name),
        onExhausted: 'redeliver',
      },
      logger,
      settings.source,
      observer,
    );
  }

  get isReady(): boolean {
    return this.consumer.isReady;
  }

  async start(): Promise<void> {
    await this.consumer.start((items, context) => this.append(items, context));
  }

  /** One transaction per chunk: appended whole (duplicates recognised by event id) or not at all. */
  private async append(items: ConsumedEvent[], context: BatchContext): Promise<void> {
    const chainId = chainIdOf({ baseTopic: context.baseTopic, partition: context.partition });
    const result = await this.appender.appendBatch(
      chainId,
      items.map(({ event, origin }) => ({
        event,
        origin: { baseTopic: origin.baseTopic, partition: origin.partition, offset: origin.offset },
      })),
    );
    await this.publish(chainId, [...result.appended, ...result.duplicates], result.checkpoints);
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
    await this.consumer.stop();
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
