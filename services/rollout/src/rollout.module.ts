import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { RolloutAnalysisLoop } from './analysis/rollout-analysis-loop';
import { RolloutFactsConsumer } from './analysis/rollout-facts.consumer';
import { RolloutTicker } from './analysis/rollout-ticker';
import { CandidateHalter, KillSwitchApiHalter } from './halts/candidate-halter';
import { PgRolloutStore } from './rollouts/pg-rollout-store';
import { KafkaRolloutAnnouncer, RolloutAnnouncer } from './rollouts/rollout-announcer';
import { RolloutCommands } from './rollouts/rollout-commands';
import { RolloutPropagation } from './rollouts/rollout-propagation';
import { RolloutStore } from './rollouts/rollout-store';
import { RolloutsController } from './rollouts/rollouts.controller';

@Module({})
export class RolloutModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: RolloutModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [RolloutsController],
      providers: [
        { provide: RolloutStore, useClass: PgRolloutStore },
        { provide: RolloutAnnouncer, useClass: KafkaRolloutAnnouncer },
        { provide: CandidateHalter, useClass: KillSwitchApiHalter },
        RolloutPropagation,
        RolloutCommands,
        RolloutAnalysisLoop,
        RolloutFactsConsumer,
        RolloutTicker,
      ],
    };
  }
}
