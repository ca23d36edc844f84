import { EventEnvelope, EventTypes, SpansExportedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PlatformSpanIntake } from './platform-span-intake';

export const SPANS_RECORD = 'spans-record';

/** The services' span batches, read by one shared group into the embedded trace store. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class SpansHandler {
  constructor(private readonly intake: PlatformSpanIntake) {}

  @EventPattern(EventTypes.SpansExported)
  async onSpans(@Payload() event: EventEnvelope<SpansExportedV1>): Promise<void> {
    await this.intake.record(event.data.spans);
  }
}
