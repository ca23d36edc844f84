import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Clock } from '@agentops/service-runtime';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TrafficWindow } from './live/traffic-window';
import { PolicyFireCounter } from './policies/policy-fire-counter';
import { LIVE_TRAFFIC_SUBSCRIPTION, POLICY_FIRES_SUBSCRIPTION } from './subscriptions';

/**
 * The console's Kafka edge: intents and decisions feed the live overview (per-instance group);
 * decisions also feed the durable per-policy fire counts (shared group).
 */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class ConsoleEventsHandler {
  constructor(
    private readonly traffic: TrafficWindow,
    private readonly fires: PolicyFireCounter,
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
  async onDecision(
    @Payload() event: EventEnvelope<IntentDecidedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    if (ctx.subscription === POLICY_FIRES_SUBSCRIPTION) return this.fires.count(event);
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
