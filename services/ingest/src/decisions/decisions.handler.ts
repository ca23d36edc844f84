import { EscalationOpenedV1, EventEnvelope, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { markWaterfallStep } from '@agentops/service-runtime';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TraceRecording } from '../traces/trace-recording';
import { DecisionBoard } from './decision-board';

export const DECISIONS_WAKE = 'decisions-wake';
export const DECISIONS_RECORD = 'decisions-record';

@Controller()
@UseFilters(PropagateToConsumerLoop)
export class DecisionsHandler {
  constructor(
    private readonly board: DecisionBoard,
    private readonly traces: TraceRecording,
  ) {}

  @EventPattern(EventTypes.IntentDecided)
  async onDecision(
    @Payload() event: EventEnvelope<IntentDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    if (ctx.subscription === DECISIONS_WAKE) {
      // The agent's answer: the one hop of a decision's nine readers that the waterfall shows.
      if (this.board.wakeWaiters(event.data)) markWaterfallStep('agent woken');
    } else await Promise.all([this.board.record(event.data), this.traces.decided(event)]);
  }

  /** The review task of an escalated intent: its id, route and SLA, for the agent waiting on it. */
  @EventPattern(EventTypes.EscalationOpened)
  async onEscalationOpened(
    @Payload() event: EventEnvelope<EscalationOpenedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    if (ctx.subscription === DECISIONS_WAKE) this.board.wakeReviewWatchers(event.data);
    else await Promise.all([this.board.recordReview(event.data), this.traces.reviewOpened(event)]);
  }
}
