import { EventEnvelope, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DecisionEntity } from '../persistence/entities';

@Injectable()
export class DecisionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findByIntent(intentId: string): Promise<EventEnvelope<IntentDecidedV1> | null> {
    const row = await this.dataSource.getRepository(DecisionEntity).findOneBy({ intentId });
    return row ? (row.event as unknown as EventEnvelope<IntentDecidedV1>) : null;
  }

  /**
   * Stores the decision unless the intent already has one; returns the decision that is now on
   * record (ours, or the one a previous delivery stored first).
   */
  async saveFirst(
    event: EventEnvelope<IntentDecidedV1>,
    intent: IntentProposedV1,
  ): Promise<EventEnvelope<IntentDecidedV1>> {
    const inserted = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(DecisionEntity)
      .values({
        intentId: event.data.intentId,
        eventId: event.id,
        tenantId: event.tenantid,
        agentId: event.data.agentId,
        verdict: event.data.verdict,
        decidedBy: event.data.decidedBy,
        event: event as never,
        intent: intent as never,
        decidedAt: new Date(event.data.decidedAt),
      })
      .orIgnore()
      .returning(['intentId'])
      .execute();
    if (inserted.raw.length > 0) return event;
    const existing = await this.findByIntent(event.data.intentId);
    if (!existing) throw new Error(`decision for ${event.data.intentId} neither inserted nor found`);
    return existing;
  }
}
