import { runServiceMain } from '@agentops/service-runtime';
import { ingestBlueprint } from './blueprint';
import { loadIngestConfig } from './config';

void runServiceMain(ingestBlueprint, () => loadIngestConfig());
