import { EventEnvelope, EventTypes, IntentProposedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IntentEvaluation } from './intent-evaluation';

@Controller()
@UseFilters(PropagateToConsumerLoop)
export class IntentsHandler {
  constructor(private readonly evaluation: IntentEvaluation) {}

  @EventPattern(EventTypes.IntentProposed)
  async onIntent(@Payload() event: EventEnvelope<IntentProposedV1>): Promise<void> {
    await this.evaluation.evaluate(event);
  }
}
