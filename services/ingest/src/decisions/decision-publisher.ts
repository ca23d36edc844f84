import { EVENT_SOURCE } from '@agentops/service-runtime';
import { AgentIdentity, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { Inject, Injectable } from '@nestjs/common';

/**
 * The one way ingest announces a decision it made itself (a kill-switch refusal, a fail-closed
 * deny): on the decisions topic, keyed by agent, correlated to the intent, caused by `cause` —
 * so audit records what the agent was told exactly as it records guardrail's decisions.
 */
@Injectable()
export class DecisionPublisher {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async publish(agent: AgentIdentity, decision: IntentDecidedV1, cause: { id: string }): Promise<void> {
    await this.publisher.publish(
      createEvent(EventTypes.IntentDecided, decision, {
        source: this.source,
        tenantid: agent.tenantId,
        agentid: agent.id,
        correlationid: decision.intentId,
        cause,
      }),
      agent.id,
    );
  }
}
