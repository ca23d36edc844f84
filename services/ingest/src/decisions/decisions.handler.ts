import { EventEnvelope, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DecisionBoard } from './decision-board';

export const DECISIONS_WAKE = 'decisions-wake';
export const DECISIONS_RECORD = 'decisions-record';

@Controller()
@UseFilters(PropagateToConsumerLoop)
export class DecisionsHandler {
  constructor(private readonly board: DecisionBoard) {}

  @EventPattern(EventTypes.IntentDecided)
  async onDecision(
    @Payload() event: EventEnvelope<IntentDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    if (ctx.subscription === DECISIONS_WAKE) this.board.wakeWaiters(event.data);
    else await this.board.record(event.data);
  }
}
