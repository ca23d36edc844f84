import { EventTypes, KnowledgeVersionActivatedV1 } from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { EVENT_SOURCE } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';

/** Where an accepted version goes so that every instance serves it. */
export interface KnowledgeDistribution {
  distribute(activation: KnowledgeVersionActivatedV1): Promise<void>;
}

export const KNOWLEDGE_DISTRIBUTION = Symbol('KNOWLEDGE_DISTRIBUTION');

/** The compacted `agentops.knowledge.v1`, keyed by tenant: compaction keeps each tenant's current version. */
@Injectable()
export class KnowledgeTopicDistribution implements KnowledgeDistribution {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async distribute(activation: KnowledgeVersionActivatedV1): Promise<void> {
    const event = createEvent(EventTypes.KnowledgeVersionActivated, activation, {
      source: this.source,
      tenantid: activation.tenantId,
      subject: `knowledge/${activation.tenantId}/${activation.kbVersion}`,
      time: new Date(activation.activatedAt),
    });
    await this.publisher.publish(event, activation.tenantId);
  }
}
