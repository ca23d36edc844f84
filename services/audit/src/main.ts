import { runServiceMain } from '@agentops/service-runtime';
import { auditBlueprint } from './blueprint';
import { loadAuditConfig } from './config';

void runServiceMain(auditBlueprint, () => loadAuditConfig());
