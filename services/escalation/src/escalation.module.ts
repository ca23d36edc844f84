import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { EscalatedDecisionsHandler } from './tasks/escalated-decisions.handler';
import { TaskRepository } from './tasks/task-repository';

@Module({})
export class EscalationModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: EscalationModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [EscalatedDecisionsHandler],
      providers: [TaskRepository],
    };
  }
}
