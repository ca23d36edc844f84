import { EventEnvelope } from '@agentops/contracts';
import { ANY_EVENT, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SignalRepository } from './signal-repository';

/** Skeleton: stores the breaker signals it receives (breakers and switches come next). */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class SignalsHandler {
  constructor(private readonly signals: SignalRepository) {}

  @EventPattern(ANY_EVENT)
  async onSignal(@Payload() event: EventEnvelope): Promise<void> {
    await this.signals.record(event);
  }
}
