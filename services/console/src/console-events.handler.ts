import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Clock } from '@agentops/service-runtime';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TrafficWindow } from './live/traffic-window';
import { LIVE_TRAFFIC_SUBSCRIPTION } from './subscriptions';

/**
 * The console's per-message Kafka edge: intents and decisions feed the live overview (per-instance
 * group). The durable per-policy fire counts read decisions in batches of their own
 * (policies/policy-fire-decisions.consumer.ts).
 */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class ConsoleEventsHandler {
  constructor(
    private readonly traffic: TrafficWindow,
    private readonly clock: Clock,
  ) {}

  @EventPattern(EventTypes.IntentProposed)
  onIntent(@Payload() event: EventEnvelope<IntentProposedV1>): void {
    const { agent, proposedAt } = event.data;
    this.traffic.recordIntent(
      event.tenantid,
      agent.id,
      agent.role,
      Date.parse(proposedAt),
      this.clock.now().getTime(),
    );
  }

  @EventPattern(EventTypes.IntentDecided)
  onDecision(@Payload() event: EventEnvelope<IntentDecidedV1>, @Ctx() ctx: KafkaEventContext): void {
    if (ctx.subscription === LIVE_TRAFFIC_SUBSCRIPTION) {
      const { agentId, verdict, decidedAt } = event.data;
      this.traffic.recordDecision(
        event.tenantid,
        agentId,
        verdict,
        Date.parse(decidedAt),
        this.clock.now().getTime(),
      );
    }
  }
}
