import { runServiceMain } from '@agentops/service-runtime';
import { guardrailBlueprint } from './blueprint';
import { loadGuardrailConfig } from './config';

void runServiceMain(guardrailBlueprint, () => loadGuardrailConfig());
