import { ServiceBlueprint } from '@agentops/service-runtime';
import { AuditModule } from './audit.module';
import { AUDITED_TOPICS } from './audited-topics';
import { AuditConfig } from './config';
import { auditDatabase } from './persistence/database';

export { AUDITED_TOPICS };

export const auditBlueprint: ServiceBlueprint<AuditConfig> = {
  name: 'audit',
  database: () => auditDatabase(),
  rootModule: (parts) => AuditModule.register(parts),
  // Audit consumes through its own batch consumer (ingestion/audit-ingestor.ts, started by the
  // module): one chain per source partition, appended a Kafka batch at a time.
  subscriptions: () => [],
};
