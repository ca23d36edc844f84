import { EventEnvelope, EventTypes, IntentProposedV1, TelemetryRecordedV1 } from '@agentops/contracts';
import { KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AccessObservation } from './access-observation';

/** Intents and data-access telemetry, with where each came from (the offset the agent's row records). */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class AccessEventsHandler {
  constructor(private readonly observation: AccessObservation) {}

  @EventPattern(EventTypes.IntentProposed)
  async onIntent(
    @Payload() event: EventEnvelope<IntentProposedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.observation.onIntent(event, ctx.origin);
  }

  @EventPattern(EventTypes.TelemetryRecorded)
  async onTelemetry(
    @Payload() event: EventEnvelope<TelemetryRecordedV1>,
    @Ctx() ctx: KafkaEventContext,
  ): Promise<void> {
    await this.observation.onTelemetry(event, ctx.origin);
  }
}
