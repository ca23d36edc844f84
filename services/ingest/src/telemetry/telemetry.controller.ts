import { AgentIdentity, TelemetryReport } from '@agentops/contracts';
import { ZodValidationPipe } from '@agentops/service-runtime';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';
import { AgentReports } from '../outcomes/agent-reports';

/** Model and tool calls, data access and cost, as agents report them (breakers read these). */
@Controller('v1/telemetry')
@UseGuards(AgentAuthGuard)
export class TelemetryController {
  constructor(private readonly reports: AgentReports) {}

  @Post()
  @AgentRateLimited('telemetry')
  @HttpCode(202)
  async record(
    @CurrentAgent() agent: AgentIdentity,
    @Body(new ZodValidationPipe(TelemetryReport)) report: TelemetryReport,
  ) {
    const { telemetryId } = await this.reports.recordTelemetry(agent, report);
    return { telemetryId, status: 'accepted' };
  }
}
