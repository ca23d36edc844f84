import { AgentIdentity, EventTypes, OutcomeReport, TelemetryReport } from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { Clock, EVENT_SOURCE } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';

/**
 * Use case: what agents report after a decision — outcomes (what they actually did; guardrail
 * verifies them against the decision) and telemetry (model and tool calls, data access, cost;
 * breakers read these). Each report becomes one event keyed by the agent, correlated with its
 * intent, stamped with the Clock's time; the agent comes from its key, never from the body.
 */
@Injectable()
export class AgentReports {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
    private readonly clock: Clock,
  ) {}

  async reportOutcome(agent: AgentIdentity, report: OutcomeReport): Promise<{ outcomeId: string }> {
    const outcomeId = newEventId();
    const reportedAt = this.clock.now();
    await this.publisher.publish(
      createEvent(
        EventTypes.OutcomeReported,
        { ...report, outcomeId, agentId: agent.id, reportedAt: reportedAt.toISOString() },
        {
          id: outcomeId,
          source: this.source,
          tenantid: agent.tenantId,
          agentid: agent.id,
          correlationid: report.intentId,
          time: reportedAt,
        },
      ),
      agent.id,
    );
    return { outcomeId };
  }

  async recordTelemetry(agent: AgentIdentity, report: TelemetryReport): Promise<{ telemetryId: string }> {
    const telemetryId = newEventId();
    const recordedAt = this.clock.now();
    await this.publisher.publish(
      createEvent(
        EventTypes.TelemetryRecorded,
        { ...report, agentId: agent.id, recordedAt: recordedAt.toISOString() },
        {
          id: telemetryId,
          source: this.source,
          tenantid: agent.tenantId,
          agentid: agent.id,
          correlationid: report.intentId,
          time: recordedAt,
        },
      ),
      agent.id,
    );
    return { telemetryId };
  }
}
