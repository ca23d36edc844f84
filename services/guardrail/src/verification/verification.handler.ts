import { EventEnvelope, EventTypes, IntentDecidedV1, OutcomeReportedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { OutcomeVerifier } from './outcome-verifier';

@Controller()
@UseFilters(PropagateToConsumerLoop)
export class VerificationHandler {
  constructor(private readonly verifier: OutcomeVerifier) {}

  @EventPattern(EventTypes.OutcomeReported)
  async onOutcome(@Payload() event: EventEnvelope<OutcomeReportedV1>): Promise<void> {
    await this.verifier.verify(event);
  }

  @EventPattern(EventTypes.IntentDecided)
  async onDecision(@Payload() event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    await this.verifier.rememberExternalDecision(event.data);
  }
}
