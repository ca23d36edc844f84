import { KillSwitchClientModule } from '@agentops/killswitch-client';
import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { CatalogCache } from './context/catalog-cache';
import { CatalogImportRepository } from './context/catalog-import-repository';
import { ContextController } from './context/context.controller';
import { RetailFactsCache } from './context/retail-facts';
import { RollingCounterStore } from './counters/rolling-counter-store';
import { DecisionRepository } from './decisions/decision-repository';
import { EvaluationsController } from './decisions/evaluations.controller';
import { IntentEvaluation } from './decisions/intent-evaluation';
import { IntentsHandler } from './decisions/intents.handler';
import { KillSwitchGate } from './killswitch/kill-switch-gate';
import { RolloutVariantGate } from './rollouts/rollout-variant-gate';
import { RolloutFollower } from '@agentops/rollout-client';
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
        IntentsHandler,
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
        RollingCounterStore,
        PolicySetStore,
        ActivePolicySets,
        PolicySetActivation,
        DecisionRepository,
        IntentEvaluation,
        KillSwitchGate,
        RolloutFollower,
        RolloutVariantGate,
        OutcomeVerifier,
      ],
    };
  }
}
