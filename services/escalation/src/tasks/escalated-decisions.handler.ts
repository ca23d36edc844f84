import { EventEnvelope, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TaskRepository } from './task-repository';

/** Skeleton: every `escalate` verdict becomes one stored task (routing, SLAs come next). */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class EscalatedDecisionsHandler {
  constructor(private readonly tasks: TaskRepository) {}

  @EventPattern(EventTypes.IntentDecided)
  async onDecision(@Payload() event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    if (event.data.verdict === 'escalate' && event.data.decidedBy === 'policy') await this.tasks.openForDecision(event);
  }
}
