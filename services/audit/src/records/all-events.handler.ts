import { EventEnvelope } from '@agentops/contracts';
import { ANY_EVENT, KafkaEventContext, PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AuditRecordRepository } from './audit-record-repository';

/** Every event on every topic becomes exactly one audit record. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class AllEventsHandler {
  constructor(private readonly records: AuditRecordRepository) {}

  @EventPattern(ANY_EVENT)
  async onEvent(@Payload() event: EventEnvelope, @Ctx() ctx: KafkaEventContext): Promise<void> {
    await this.records.append(event, ctx.origin);
  }
}
