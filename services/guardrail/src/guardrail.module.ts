import { KillSwitchClientModule } from '@agentops/killswitch-client';
import { Clock, RuntimeParts, ServiceRuntimeModule, SystemClock } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCache } from './context/catalog-cache';
import { CatalogImportRepository } from './context/catalog-import-repository';
import { ContextController } from './context/context.controller';
import { RetailFactsCache } from './context/retail-facts';
import { RedisRollingCounterStore, RollingCounterStore } from './counters/rolling-counter-store';
import { DecisionRepository, PostgresDecisionRepository } from './decisions/decision-repository';
import { EvaluationsController } from './decisions/evaluations.controller';
import { IntentEvaluation } from './decisions/intent-evaluation';
import { IntentsConsumer } from './decisions/intents.consumer';
import { KillSwitchGate } from './killswitch/kill-switch-gate';
import { ActivePolicySets } from './policies/active-policy-sets';
import { PoliciesController } from './policies/policies.controller';
import { PolicyActivationsHandler } from './policies/policy-activations.handler';
import { PolicySetActivation } from './policies/policy-set-activation';
import { PolicySetStore } from './policies/policy-set-store';
import { OutcomeVerifier } from './verification/outcome-verifier';
import { VerificationHandler } from './verification/verification.handler';

@Module({})
export class GuardrailModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: GuardrailModule,
      imports: [ServiceRuntimeModule.forRoot(parts), KillSwitchClientModule],
      controllers: [
        PolicyActivationsHandler,
        VerificationHandler,
        PoliciesController,
        ContextController,
        EvaluationsController,
      ],
      providers: [
        CatalogCache,
        CatalogImportRepository,
        RetailFactsCache,
        { provide: RollingCounterStore, useClass: RedisRollingCounterStore },
        PolicySetStore,
        ActivePolicySets,
        PolicySetActivation,
        { provide: DecisionRepository, useClass: PostgresDecisionRepository },
        { provide: Clock, useClass: SystemClock },
        IntentEvaluation,
        IntentsConsumer,
        KillSwitchGate,
        OutcomeVerifier,
      ],
    };
  }
}
