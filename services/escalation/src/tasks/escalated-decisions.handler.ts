import { EVENT_SOURCE } from '@agentops/service-runtime';
import { AccessAnomalyDetectedV1, EventEnvelope, EventTypes, IntentDecidedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TaskWorkflow } from './task-workflow';

/**
 * An `escalate` verdict by policy opens one task per intent once its proposal is known too (kept by
 * proposed-intents.consumer.ts); ingest's fail-closed deny closes an open task. A high
 * data-access anomaly opens a security review of the agent it quarantined.
 */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class EscalatedDecisionsHandler {
  constructor(
    private readonly workflow: TaskWorkflow,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  @EventPattern(EventTypes.AccessAnomalyDetected)
  async onAccessAnomaly(@Payload() event: EventEnvelope<AccessAnomalyDetectedV1>): Promise<void> {
    await this.workflow.onAccessAnomaly(event);
  }

  @EventPattern(EventTypes.IntentDecided)
  async onDecision(@Payload() event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    const d = event.data;
    if (d.verdict === 'escalate' && d.decidedBy === 'policy') await this.workflow.onEscalated(event);
    else if (d.decidedBy === 'timeout' && event.source !== this.source)
      await this.workflow.onAgentTimedOut(d);
  }
}
