import { AgentIdentity, OutcomeReport } from '@agentops/contracts';
import { ZodValidationPipe } from '@agentops/service-runtime';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';
import { AgentReports } from './agent-reports';

@Controller('v1/outcomes')
@UseGuards(AgentAuthGuard)
export class OutcomesController {
  constructor(private readonly reports: AgentReports) {}

  /** What the agent actually did; guardrail verifies it against the decision. */
  @Post()
  @AgentRateLimited('outcomes')
  @HttpCode(202)
  async report(
    @CurrentAgent() agent: AgentIdentity,
    @Body(new ZodValidationPipe(OutcomeReport)) report: OutcomeReport,
  ) {
    const { outcomeId } = await this.reports.reportOutcome(agent, report);
    return { outcomeId, status: 'accepted' };
  }
}
