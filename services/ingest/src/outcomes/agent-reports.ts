import { accessStepOf } from '@agentops/access-anomaly';
import { AgentIdentity, EventTypes, OutcomeReport, TelemetryReport } from '@agentops/contracts';
import { EventContext, EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { dataClassGranted, effectiveScopes } from '@agentops/policy';
import { Clock, EVENT_SOURCE } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { ReportedAccessLog } from './reported-access-log';

/**
 * Use case: what agents report after a decision — outcomes (what they actually did; guardrail
 * verifies them against the decision) and telemetry (model and tool calls, data access, cost;
 * breakers read these). Each report becomes one event keyed by the agent, correlated with its
 * intent, stamped with the Clock's time; the agent comes from its key, never from the body.
 * A data-access report (issue #17) is flagged here with the classes it read outside the agent's
 * scopes, so every consumer sees the same verdict without knowing the agent's scopes, and logged
 * as a step for guardrail's flow gate before it is answered (`ReportedAccessLog`): the agent's next
 * egress intent is judged with this read even while the access service has not consumed it yet.
 */
@Injectable()
export class AgentReports {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
    private readonly clock: Clock,
    @Inject(ReportedAccessLog) private readonly accessLog: Pick<ReportedAccessLog, 'append'>,
  ) {}

  async reportOutcome(agent: AgentIdentity, report: OutcomeReport): Promise<{ outcomeId: string }> {
    const outcomeId = newEventId();
    const at = this.clock.now();
    const data = { ...report, outcomeId, agentId: agent.id, reportedAt: at.toISOString() };
    await this.publisher.publish(
      createEvent(EventTypes.OutcomeReported, data, this.context(agent, report.intentId, outcomeId, at)),
      agent.id,
    );
    return { outcomeId };
  }

  async recordTelemetry(agent: AgentIdentity, report: TelemetryReport): Promise<{ telemetryId: string }> {
    const telemetryId = newEventId();
    const at = this.clock.now();
    const data = {
      ...report,
      ...accessFacts(agent, report),
      agentId: agent.id,
      recordedAt: at.toISOString(),
    };
    // Before the event: if publishing fails the agent still read the data, and the step says so.
    if (report.access)
      await this.accessLog.append(agent.tenantId, agent.id, accessStepOf(report.access, at.getTime()));
    await this.publisher.publish(
      createEvent(EventTypes.TelemetryRecorded, data, this.context(agent, report.intentId, telemetryId, at)),
      agent.id,
    );
    return { telemetryId };
  }

  /** The envelope of an agent's report: as the agent, correlated with its intent, at the Clock's time. */
  private context(agent: AgentIdentity, intentId: string | undefined, id: string, time: Date): EventContext {
    return {
      id,
      source: this.source,
      tenantid: agent.tenantId,
      agentid: agent.id,
      correlationid: intentId,
      time,
    };
  }
}

/**
 * An access report's own records and classes (breakers count these), the agent's cohort (the
 * monitor's peers) and the classes outside the agent's scopes.
 */
function accessFacts(agent: AgentIdentity, report: TelemetryReport) {
  if (!report.access) return {};
  const scopes = effectiveScopes(agent);
  const outside = report.access.dataClasses.filter((cls) => !dataClassGranted(scopes, cls));
  return {
    records: report.access.records,
    dataClasses: report.access.dataClasses,
    agent: { role: agent.role, version: agent.version, ...(agent.scopes ? { scopes: agent.scopes } : {}) },
    ...(outside.length > 0 ? { outOfScopeClasses: outside } : {}),
  };
}
