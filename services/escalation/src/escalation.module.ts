import { RuntimeParts, ServiceRuntimeModule } from '@agentops/service-runtime';
import { DynamicModule, Module } from '@nestjs/common';
import { TasksController } from './api/tasks.controller';
import { CallbackDispatcher } from './callbacks/callback-dispatcher';
import { CallbackRepository, PostgresCallbackRepository } from './callbacks/callback-repository';
import { EscalationConfig, egressPolicy } from './config';
import { WebhookSender } from './egress/webhook-sender';
import { Notifier } from './notify/notifier';
import { OutboxRelay } from './outbox/outbox';
import { OutboxRepository, PostgresOutboxRepository } from './outbox/outbox-repository';
import { GuardrailClient } from './review/guardrail-client';
import { ReviewService } from './review/review.service';
import { ROUTING_RULES, loadRoutingRulesFile } from './routing/routing.tokens';
import { SlaScheduler } from './sla/sla-scheduler';
import { EscalatedDecisionsHandler } from './tasks/escalated-decisions.handler';
import { ProposedIntentsConsumer } from './tasks/proposed-intents.consumer';
import { PostgresTaskRepository, TaskRepository } from './tasks/task-repository';
import { TaskWorkflow } from './tasks/task-workflow';

@Module({})
export class EscalationModule {
  static register(parts: RuntimeParts): DynamicModule {
    const config = parts.config as EscalationConfig;
    return {
      module: EscalationModule,
      imports: [ServiceRuntimeModule.forRoot(parts)],
      controllers: [EscalatedDecisionsHandler, TasksController],
      providers: [
        {
          provide: ROUTING_RULES,
          useValue: loadRoutingRulesFile(config.ESCALATION_ROUTES_FILE, egressPolicy(config)),
        },
        { provide: TaskRepository, useClass: PostgresTaskRepository },
        { provide: OutboxRepository, useClass: PostgresOutboxRepository },
        { provide: CallbackRepository, useClass: PostgresCallbackRepository },
        TaskWorkflow,
        ProposedIntentsConsumer,
        ReviewService,
        GuardrailClient,
        Notifier,
        WebhookSender,
        OutboxRelay,
        SlaScheduler,
        CallbackDispatcher,
      ],
    };
  }
}
