import { eventSource } from '@agentops/contracts';
import { RuntimeParts, ServiceRuntimeModule, isProduction } from '@agentops/service-runtime';
import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AUDITED_TOPICS } from './audited-topics';
import { keyWrapperFrom } from './audit-keys';
import { pseudonymSecretFrom, signingKeyFrom, warnAboutKeys } from './audit-runtime';
import { AuditAppender } from './chain/audit-appender';
import { PostgresChainAppendRepository } from './chain/chain-append-repository';
import { recordPreparation } from './chain/record-preparation';
import { TransactionalSql, typeormSql } from './chain/sql';
import { AuditConfig } from './config';
import { AuditIngestor } from './ingestion/audit-ingestor';
import { PayloadPrivacy } from './privacy/payload-privacy';
import { SubjectKeyStore } from './privacy/subject-key-store';
import { AuditChainRepository } from './records/audit-chain-repository';
import { AuditQueryController } from './records/audit-query.controller';
import { AuditRecordRepository } from './records/audit-record-repository';

/** Starts audit's own batch consumer with the app, checkpoints idle chains, stops both on close. */
@Injectable()
class AuditLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private partitionsTimer?: NodeJS.Timeout;
  private wrapping?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(AuditIngestor) private readonly ingestor: AuditIngestor,
    @Inject(AuditAppender) private readonly appender: AuditAppender,
    @Inject(SubjectKeyStore) private readonly subjectKeys: SubjectKeyStore,
    @Inject(PostgresChainAppendRepository) private readonly chains: PostgresChainAppendRepository,
    @Inject('AUDIT_PARTS') private readonly parts: RuntimeParts,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const config = this.parts.config as AuditConfig;
    const sql = typeormSql(this.parts.dataSource);
    // Dropping a KEK while keys still need it would make them unusable: refuse, say which.
    const unknown = await this.subjectKeys.unknownKeks(sql);
    if (unknown.length)
      throw new Error(
        `AUDIT_KEK: stored subject keys are wrapped by ${unknown.join(', ')}, which AUDIT_KEK does not hold; put the older key back after the new one until audit has re-wrapped every key`,
      );
    this.wrapping = this.wrapStoredKeys(sql);
    // Keep monthly partitions ahead, at start and daily; the DEFAULT partition catches anything
    // if this ever falls behind.
    const extendPartitions = () =>
      this.chains
        .extendRecordPartitions(3)
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

  /** Keys from before wrapping, or under an older KEK, wrapped with the active KEK in the background. */
  private async wrapStoredKeys(sql: TransactionalSql): Promise<void> {
    try {
      const done = await this.subjectKeys.wrapStoredKeys(sql, 500, () => this.stopping);
      if (done.wrapped || done.rewrapped)
        this.parts.logger.info(done, 'subject keys wrapped with the active key-encryption key');
    } catch (error) {
      this.parts.logger.error(
        { err: error },
        'wrapping stored subject keys failed (retried at the next start)',
      );
    }
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
    this.stopping = true;
    await this.wrapping;
    await this.ingestor.stop();
    await this.appender.close();
  }
}

@Module({})
export class AuditModule {
  static register(parts: RuntimeParts): DynamicModule {
    const config = parts.config as AuditConfig;
    warnAboutKeys(config, isProduction(config), parts.logger);
    const pseudonymSecret = pseudonymSecretFrom(config);
    const privacy = new PayloadPrivacy(pseudonymSecret);
    const subjectKeys = new SubjectKeyStore(keyWrapperFrom(config), (tenantId, subjectRef, error) =>
      parts.logger.error(
        { tenantId, subjectRef, err: error },
        'a stored subject key does not unwrap (altered in the database?): new clear values of this subject are not kept',
      ),
    );
    const chains = new PostgresChainAppendRepository(typeormSql(parts.dataSource), subjectKeys);
    const preparation = recordPreparation(pseudonymSecret, config.AUDIT_WORKERS);
    const appender = new AuditAppender(chains, preparation, signingKeyFrom(config, parts.logger), {
      everyRecords: config.AUDIT_CHECKPOINT_EVERY,
      everySeconds: config.AUDIT_CHECKPOINT_SECONDS,
    });
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
        source: eventSource(parts.service),
      },
      parts.logger,
      parts.metrics.consumerObserver(),
    );
    return {
      module: AuditModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [AuditQueryController],
      providers: [
        AuditRecordRepository,
        AuditChainRepository,
        { provide: PayloadPrivacy, useValue: privacy },
        { provide: SubjectKeyStore, useValue: subjectKeys },
        { provide: PostgresChainAppendRepository, useValue: chains },
        { provide: AuditAppender, useValue: appender },
        { provide: AuditIngestor, useValue: ingestor },
        { provide: 'AUDIT_PARTS', useValue: parts },
        AuditLifecycle,
      ],
    };
  }
}
