import { Topics, allTopics } from '@agentops/contracts';
import { ServiceBlueprint } from '@agentops/service-runtime';
import { AuditModule } from './audit.module';
import { AuditConfig } from './config';
import { auditDatabase } from './persistence/database';

/** Audit reads every topic but the two it writes itself. */
export const AUDITED_TOPICS = allTopics
  .map((t) => t.name)
  .filter((name) => name !== Topics.audit.name && name !== Topics.auditCheckpoints.name);

export const auditBlueprint: ServiceBlueprint<AuditConfig> = {
  name: 'audit',
  database: () => auditDatabase(),
  rootModule: (parts) => AuditModule.register(parts),
  subscriptions: (config) => [
    {
      name: 'everything',
      groupId: `${config.KAFKA_TOPIC_PREFIX}audit`,
      topics: AUDITED_TOPICS,
      fromBeginning: true,
      maxWaitTimeInMs: 50,
      partitionsConsumedConcurrently: 4,
    },
  ],
};
