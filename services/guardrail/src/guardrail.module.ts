import { KillSwitchClientModule } from '@agentops/killswitch-client';
import { KnowledgeClientModule } from '@agentops/knowledge-client';
import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AccessHistoryReader, EgressFlowGate, RedisAccessHistoryReader } from './access/egress-flow-gate';
import { CatalogCache } from './context/catalog-cache';
import { CatalogRepository, PostgresCatalogRepository } from './context/catalog-repository';
import { ContextController } from './context/context.controller';
import { RetailFactsCache } from './context/retail-facts';
import { PostgresRetailFactsRepository, RetailFactsRepository } from './context/retail-facts-repository';
import { RedisRollingCounterStore, RollingCounterStore } from './counters/rolling-counter-store';
import { DecisionRepository, PostgresDecisionRepository } from './decisions/decision-repository';
import { EvaluationsController } from './decisions/evaluations.controller';
import { IntentEvaluation } from './decisions/intent-evaluation';
import { IntentsConsumer } from './decisions/intents.consumer';
import { PolicyEvaluationTimer } from './decisions/policy-evaluation-timer';
import { KillSwitchGate } from './killswitch/kill-switch-gate';
import { KNOWLEDGE_DISTRIBUTION, KnowledgeTopicDistribution } from './knowledge/knowledge-distribution';
import { KnowledgeHistory } from './knowledge/knowledge-history';
import { KnowledgeImport } from './knowledge/knowledge-import';
import { KnowledgeRepair } from './knowledge/knowledge-repair';
import { KnowledgeVersionRepository } from './knowledge/knowledge-version-repository';
import { KNOWLEDGE_VERSIONS } from './knowledge/knowledge-versions';
import { KnowledgeController } from './knowledge/knowledge.controller';
import { RolloutVariantGate } from './rollouts/rollout-variant-gate';
import { RolloutFollower } from '@agentops/rollout-client';
import { ActivePolicySets } from './policies/active-policy-sets';
import { PoliciesController } from './policies/policies.controller';
import { PolicyActivationsHandler } from './policies/policy-activations.handler';
import { PolicySetActivation } from './policies/policy-set-activation';
import { PolicySetStore } from './policies/policy-set-store';
import { OutcomeVerifier } from './verification/outcome-verifier';
import {
  PostgresVerificationRepository,
  VerificationRepository,
} from './verification/verification-repository';
import { VerificationHandler } from './verification/verification.handler';

@Module({})
export class GuardrailModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: GuardrailModule,
      imports: [ServiceRuntimeModule.forRoot(parts), KillSwitchClientModule, KnowledgeClientModule],
      controllers: [
        PolicyActivationsHandler,
        VerificationHandler,
        PoliciesController,
        ContextController,
        EvaluationsController,
        KnowledgeController,
      ],
      providers: [
        CatalogCache,
        { provide: CatalogRepository, useClass: PostgresCatalogRepository },
        { provide: RetailFactsRepository, useClass: PostgresRetailFactsRepository },
        { provide: VerificationRepository, useClass: PostgresVerificationRepository },
        RetailFactsCache,
        { provide: RollingCounterStore, useClass: RedisRollingCounterStore },
        PolicySetStore,
        ActivePolicySets,
        PolicySetActivation,
        { provide: DecisionRepository, useClass: PostgresDecisionRepository },
        IntentEvaluation,
        PolicyEvaluationTimer,
        IntentsConsumer,
        KillSwitchGate,
        { provide: AccessHistoryReader, useClass: RedisAccessHistoryReader },
        EgressFlowGate,
        RolloutFollower,
        RolloutVariantGate,
        OutcomeVerifier,
        { provide: KNOWLEDGE_VERSIONS, useClass: KnowledgeVersionRepository },
        { provide: KNOWLEDGE_DISTRIBUTION, useClass: KnowledgeTopicDistribution },
        KnowledgeImport,
        KnowledgeHistory,
        KnowledgeRepair,
      ],
    };
  }
}
