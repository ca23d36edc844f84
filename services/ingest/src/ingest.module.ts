import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AgentAuthGuard } from './agents/agent-auth.guard';
import { AgentRegistry } from './agents/agent-registry';
import { AgentsController } from './agents/agents.controller';
import { DecisionBoard } from './decisions/decision-board';
import { DecisionsHandler } from './decisions/decisions.handler';
import { IntentSubmission } from './intents/intent-submission';
import { IntentsController } from './intents/intents.controller';
import { OutcomesController } from './outcomes/outcomes.controller';

@Module({})
export class IngestModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: IngestModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [IntentsController, OutcomesController, AgentsController, DecisionsHandler],
      providers: [AgentRegistry, AgentAuthGuard, DecisionBoard, IntentSubmission],
    };
  }
}
