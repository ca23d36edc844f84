import { EventEnvelope, EventTypes, IntentProposedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BreakerEngine } from '../breakers/breaker-engine';
import { KnownAgents } from './known-agents';

export const KNOWN_AGENTS_SUBSCRIPTION = 'known-agents';

/** Learns which agents exist (and their cohort facts) from the intents they propose; feeds the breakers. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class IntentsHandler {
  constructor(
    private readonly agents: KnownAgents,
    private readonly breakers: BreakerEngine,
  ) {}

  @EventPattern(EventTypes.IntentProposed)
  async onIntent(@Payload() event: EventEnvelope<IntentProposedV1>): Promise<void> {
    await this.agents.observe(event.data.agent, event.data.proposedAt);
    await this.breakers.observe(event);
  }
}
