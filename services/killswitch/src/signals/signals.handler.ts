import { EventEnvelope } from '@agentops/contracts';
import { ANY_EVENT, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BreakerEngine } from '../breakers/breaker-engine';
import { SignalRepository } from './signal-repository';

/** Stores the breaker signals it receives (decisions, verifications, telemetry) and feeds the breakers. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class SignalsHandler {
  constructor(
    private readonly signals: SignalRepository,
    private readonly breakers: BreakerEngine,
  ) {}

  @EventPattern(ANY_EVENT)
  async onSignal(@Payload() event: EventEnvelope): Promise<void> {
    await this.signals.record(event);
    await this.breakers.observe(event);
  }
}
