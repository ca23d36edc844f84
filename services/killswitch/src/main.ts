import { runServiceMain } from '@agentops/service-runtime';
import { killswitchBlueprint } from './blueprint';
import { loadKillswitchConfig } from './config';

void runServiceMain(killswitchBlueprint, () => loadKillswitchConfig());
