import { runServiceMain } from '@agentops/service-runtime';
import { consoleBlueprint } from './blueprint';
import { loadConsoleConfig } from './config';

void runServiceMain(consoleBlueprint, () => loadConsoleConfig());
