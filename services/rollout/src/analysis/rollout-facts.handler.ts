import { EventEnvelope, EventTypes, IntentProposedV1 } from '@agentops/contracts';
import { ANY_EVENT, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FactEvent, RolloutAnalysisLoop } from './rollout-analysis-loop';

/** Intents (assignment) and every fact about them (counts, then the decision): one line each into the loop. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class RolloutFactsHandler {
  constructor(private readonly loop: RolloutAnalysisLoop) {}

  @EventPattern(EventTypes.IntentProposed)
  async onIntent(@Payload() event: EventEnvelope<IntentProposedV1>): Promise<void> {
    await this.loop.onIntent(event);
  }

  @EventPattern(ANY_EVENT)
  async onFact(@Payload() event: EventEnvelope): Promise<void> {
    await this.loop.onFact(event as FactEvent);
  }
}
