import { runServiceMain } from '@agentops/service-runtime';
import { rolloutBlueprint } from './blueprint';
import { loadRolloutConfig } from './config';

void runServiceMain(rolloutBlueprint, () => loadRolloutConfig());
