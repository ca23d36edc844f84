import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AUDITED_TOPICS } from './audited-topics';
import { signingKeyFrom, pseudonymSecretFrom } from './audit-runtime';
import { AuditAppender } from './chain/audit-appender';
import { typeormSql } from './chain/sql';
import { AuditConfig } from './config';
import { AuditIngestor } from './ingestion/audit-ingestor';
import { PayloadPrivacy } from './privacy/payload-privacy';
import { AuditQueryController } from './records/audit-query.controller';
import { AuditRecordRepository } from './records/audit-record-repository';

/** Starts audit's own batch consumer with the app, checkpoints idle chains, stops both on close. */
@Injectable()
class AuditLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private partitionsTimer?: NodeJS.Timeout;

  constructor(
    @Inject(AuditIngestor) private readonly ingestor: AuditIngestor,
    @Inject(AuditAppender) private readonly appender: AuditAppender,
    @Inject('AUDIT_PARTS') private readonly parts: RuntimeParts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = this.parts.config as AuditConfig;
    // Keep monthly partitions ahead (a SECURITY DEFINER function the writer role may call), at
    // start and daily; the DEFAULT partition catches anything if this ever falls behind.
    const extendPartitions = () =>
      this.parts.dataSource
        .query(`SELECT ensure_record_partitions(3)`)
        .catch((error: unknown) =>
          this.parts.logger.warn({ err: error }, 'could not extend audit partitions'),
        );
    await extendPartitions();
    this.partitionsTimer = setInterval(() => void extendPartitions(), 24 * 3600 * 1000);
    this.partitionsTimer.unref();
    this.parts.readiness.add({
      name: 'audit-consumer',
      check: () => {
        if (!this.ingestor.isReady) throw new Error('audit consumer group not joined yet');
      },
    });
    await this.ingestor.start();
    const everyMs = Math.max(1, Math.min(config.AUDIT_CHECKPOINT_SECONDS, 30)) * 1000;
    this.timer = setInterval(() => void this.checkpointIdle(), everyMs);
    this.timer.unref();
  }

  private async checkpointIdle(): Promise<void> {
    try {
      const cps = await this.appender.checkpointIdleChains();
      for (const cp of cps) await this.ingestor.publish(cp.chainId, [], [cp]);
    } catch (error) {
      this.parts.logger.warn({ err: error }, 'idle checkpoint failed');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.partitionsTimer) clearInterval(this.partitionsTimer);
    await this.ingestor.stop();
  }
}

@Module({})
export class AuditModule {
  static register(parts: RuntimeParts): DynamicModule {
    const config = parts.config as AuditConfig;
    const privacy = new PayloadPrivacy(pseudonymSecretFrom(config, parts.logger));
    const appender = new AuditAppender(
      typeormSql(parts.dataSource),
      privacy,
      signingKeyFrom(config, parts.logger),
      {
        everyRecords: config.AUDIT_CHECKPOINT_EVERY,
        everySeconds: config.AUDIT_CHECKPOINT_SECONDS,
      },
    );
    const ingestor = new AuditIngestor(
      parts.messaging.kafka,
      parts.messaging.publisher,
      appender,
      {
        groupId: `${config.KAFKA_TOPIC_PREFIX}audit`,
        topics: AUDITED_TOPICS,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        batchSize: config.AUDIT_BATCH_SIZE,
        partitionsConsumedConcurrently: 4,
        source: 'agentops/audit',
      },
      parts.logger,
    );
    return {
      module: AuditModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [AuditQueryController],
      providers: [
        AuditRecordRepository,
        { provide: PayloadPrivacy, useValue: privacy },
        { provide: AuditAppender, useValue: appender },
        { provide: AuditIngestor, useValue: ingestor },
        { provide: 'AUDIT_PARTS', useValue: parts },
        AuditLifecycle,
      ],
    };
  }
}
