import { AgentIdentity, EventTypes, TelemetryReport } from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { EVENT_SOURCE, ZodValidationPipe } from '@agentops/service-runtime';
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';

/** Model and tool calls, data access and cost, as agents report them (breakers read these). */
@Controller('v1/telemetry')
@UseGuards(AgentAuthGuard)
export class TelemetryController {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  @Post()
  @AgentRateLimited('telemetry')
  @HttpCode(202)
  async record(
    @CurrentAgent() agent: AgentIdentity,
    @Body(new ZodValidationPipe(TelemetryReport)) report: TelemetryReport,
  ) {
    const id = newEventId();
    await this.publisher.publish(
      createEvent(
        EventTypes.TelemetryRecorded,
        { ...report, agentId: agent.id, recordedAt: new Date().toISOString() },
        {
          id,
          source: this.source,
          tenantid: agent.tenantId,
          agentid: agent.id,
          correlationid: report.intentId,
        },
      ),
      agent.id,
    );
    return { telemetryId: id, status: 'accepted' };
  }
}
