import { AgentIdentity, EventTypes, OutcomeReport } from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { EVENT_SOURCE, ZodValidationPipe } from '@agentops/service-runtime';
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';

@Controller('v1/outcomes')
@UseGuards(AgentAuthGuard)
export class OutcomesController {
  constructor(
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  /** What the agent actually did; guardrail verifies it against the decision. */
  @Post()
  @AgentRateLimited('outcomes')
  @HttpCode(202)
  async report(
    @CurrentAgent() agent: AgentIdentity,
    @Body(new ZodValidationPipe(OutcomeReport)) report: OutcomeReport,
  ) {
    const outcomeId = newEventId();
    await this.publisher.publish(
      createEvent(
        EventTypes.OutcomeReported,
        { ...report, outcomeId, agentId: agent.id, reportedAt: new Date().toISOString() },
        {
          id: outcomeId,
          source: this.source,
          tenantid: agent.tenantId,
          agentid: agent.id,
          correlationid: report.intentId,
        },
      ),
      agent.id,
    );
    return { outcomeId, status: 'accepted' };
  }
}
