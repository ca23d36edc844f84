import { KillSwitchClientModule } from '@agentops/killswitch-client';
import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCache } from './catalog/catalog-cache';
import { DecisionRepository } from './decisions/decision-repository';
import { IntentEvaluation } from './decisions/intent-evaluation';
import { IntentsHandler } from './decisions/intents.handler';
import { KillSwitchGate } from './killswitch/kill-switch-gate';

@Module({})
export class GuardrailModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: GuardrailModule,
      imports: [ServiceRuntimeModule.forRoot(parts), KillSwitchClientModule],
      controllers: [IntentsHandler],
      providers: [CatalogCache, DecisionRepository, IntentEvaluation, KillSwitchGate],
    };
  }
}
