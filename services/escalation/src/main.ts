import { runServiceMain } from '@agentops/service-runtime';
import { escalationBlueprint } from './blueprint';
import { loadEscalationConfig } from './config';

void runServiceMain(escalationBlueprint, () => loadEscalationConfig());
