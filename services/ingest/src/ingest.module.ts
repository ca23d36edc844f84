import { TelemetryController } from './telemetry/telemetry.controller';
import { KillSwitchClientModule } from '@agentops/killswitch-client';
import { KnowledgeClientModule } from '@agentops/knowledge-client';
import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { AgentAuthGuard } from './agents/agent-auth.guard';
import { AgentRateLimitGuard, AgentRateLimiter } from './agents/agent-rate-limit';
import { AgentRegistry } from './agents/agent-registry';
import { AgentRepository, PostgresAgentRepository } from './agents/agent-repository';
import { AgentsController } from './agents/agents.controller';
import { KeyRetirementFeed } from './agents/key-retirement-feed';
import { DecisionBoard } from './decisions/decision-board';
import { DecisionPublisher } from './decisions/decision-publisher';
import { DecisionsHandler } from './decisions/decisions.handler';
import { IdempotencyStore, RedisIdempotencyStore } from './intents/idempotency-store';
import { IntentSubmission } from './intents/intent-submission';
import { IntentsController } from './intents/intents.controller';
import { ControlStreamController } from './killswitch/control-stream.controller';
import { RolloutFollower } from '@agentops/rollout-client';
import { KillSwitchEnforcement } from './killswitch/kill-switch-enforcement';
import { KnowledgeController } from './knowledge/knowledge.controller';
import { KnowledgeReads } from './knowledge/knowledge-reads';
import { OutcomesController } from './outcomes/outcomes.controller';
import { AgentReports } from './outcomes/agent-reports';
import { RedisReportedAccessLog, ReportedAccessLog } from './outcomes/reported-access-log';
import { CostsController } from './traces/costs.controller';
import { TraceIntake } from './traces/trace-intake';
import { TraceIntakeController } from './traces/trace-intake.controller';
import { PlatformSpanIntake } from './traces/platform-span-intake';
import { SpansHandler } from './traces/spans.handler';
import { TraceRecording, TraceRetention } from './traces/trace-recording';
import { PostgresTraceStore, TraceStore } from './traces/trace-store';
import { TracesController } from './traces/traces.controller';

@Module({})
export class IngestModule {
  static register(parts: RuntimeParts): DynamicModule {
    return {
      module: IngestModule,
      imports: [ServiceRuntimeModule.forRoot(parts), KillSwitchClientModule, KnowledgeClientModule],
      controllers: [
        IntentsController,
        OutcomesController,
        AgentsController,
        DecisionsHandler,
        SpansHandler,
        ControlStreamController,
        TelemetryController,
        KnowledgeController,
        TraceIntakeController,
        TracesController,
        CostsController,
      ],
      providers: [
        { provide: AgentRepository, useClass: PostgresAgentRepository },
        AgentRegistry,
        KnowledgeReads,
        AgentAuthGuard,
        AgentRateLimiter,
        AgentRateLimitGuard,
        KeyRetirementFeed,
        DecisionBoard,
        DecisionPublisher,
        { provide: IdempotencyStore, useClass: RedisIdempotencyStore },
        IntentSubmission,
        AgentReports,
        { provide: ReportedAccessLog, useClass: RedisReportedAccessLog },
        KillSwitchEnforcement,
        RolloutFollower,
        { provide: TraceStore, useClass: PostgresTraceStore },
        TraceIntake,
        TraceRecording,
        PlatformSpanIntake,
        TraceRetention,
      ],
    };
  }
}
