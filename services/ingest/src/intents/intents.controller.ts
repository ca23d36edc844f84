import {
  AgentIdentity,
  IntentAnswer,
  IntentDecidedAnswer,
  IntentPending,
  IntentPendingReview,
  IntentProposal,
} from '@agentops/contracts';
import { ApiResponse, ServiceMetrics, UuidParam, ZodValidationPipe } from '@agentops/service-runtime';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { AgentRateLimited } from '../agents/agent-rate-limit';
import { DecisionBoard } from '../decisions/decision-board';
import { IntentSubmission, decisionPath, pendingReview } from './intent-submission';

/** How soon an agent whose intent is pending review should poll again (a human takes a while). */
export const REVIEW_RETRY_AFTER_SECONDS = 2;

const SubmitQuery = z.object({
  wait: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  timeoutMs: z.coerce.number().int().min(1).optional(),
});

/** At most 200 characters (a UUID is what the SDK sends); a longer key is refused, never cut. */
const IdempotencyKey = z.string().min(1, 'must not be empty').max(200, 'at most 200 characters').optional();

@Controller('v1/intents')
@UseGuards(AgentAuthGuard)
export class IntentsController {
  constructor(
    private readonly submission: IntentSubmission,
    private readonly board: DecisionBoard,
    private readonly metrics: ServiceMetrics,
  ) {}

  /**
   * Propose an intent. `?wait=true` holds the request until the decision (200). 202 otherwise:
   * `pending` (no wait), or `pending_review` when the intent was escalated to a human — with the
   * task, its SLA and where to poll; `?timeoutMs=` holds it through the review until a human
   * decides or the wait ends, unless `Prefer: respond-async` asks for the 202 at once. The agent
   * fetches `GET /v1/intents/:id/decision` later.
   */
  @Post()
  @AgentRateLimited('intents')
  @ApiResponse(
    200,
    IntentDecidedAnswer,
    'decided: the call waited for the decision, or a switch halted the intent',
  )
  @ApiResponse(
    202,
    z.union([IntentPending, IntentPendingReview]),
    'not decided yet (`Location` says where to follow it), or pending review by a human (`Retry-After`)',
  )
  @ApiResponse(422, undefined, 'the Idempotency-Key was used before with a different body')
  async propose(
    @CurrentAgent() agent: AgentIdentity,
    @Body(new ZodValidationPipe(IntentProposal)) proposal: IntentProposal,
    @Query(new ZodValidationPipe(SubmitQuery)) query: z.infer<typeof SubmitQuery>,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const key = IdempotencyKey.safeParse(idempotencyKey);
    if (!key.success) throw new BadRequestException(`Idempotency-Key: ${key.error.issues[0].message}`);
    const timer = this.metrics.decisionLatency.startTimer();
    const result = await this.submission.submit(agent, proposal, {
      wait: query.wait,
      timeoutMs: query.timeoutMs,
      idempotencyKey: key.data,
      respondAsync: prefersRespondAsync(prefer),
    });
    // The latency the agent sees, for answers that carry a decision (a wait, a halt, a retry).
    if (result.status === 'decided')
      timer({ verdict: result.decision.verdict, decided_by: result.decision.decidedBy });
    res.status(result.status === 'decided' ? 200 : 202);
    if (result.status !== 'decided') res.setHeader('location', decisionPath(result.intentId));
    if (result.status === 'pending_review') res.setHeader('retry-after', String(REVIEW_RETRY_AFTER_SECONDS));
    return result;
  }

  @Get(':intentId/decision')
  @HttpCode(200)
  @ApiResponse(200, IntentAnswer, 'decided, or still pending review (`Retry-After`)')
  @ApiResponse(404, undefined, "no decision yet, or another agent's intent")
  async decision(
    @CurrentAgent() agent: AgentIdentity,
    @UuidParam('intentId') intentId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const stored = await this.board.find(intentId);
    // Another agent's intent is indistinguishable from an unknown one.
    if (!stored || stored.agentId !== agent.id)
      throw new NotFoundException(`no decision for intent ${intentId}`);
    if (stored.decision.verdict !== 'escalate')
      return { intentId, status: 'decided', decision: stored.decision };
    // An escalation is provisional: the agent keeps waiting for the human (or timeout) decision.
    res.setHeader('retry-after', String(REVIEW_RETRY_AFTER_SECONDS));
    return pendingReview(stored.decision, await this.board.findReview(intentId));
  }
}

/** `Prefer: respond-async` among the header's preferences (RFC 7240 § 4.1); anything else is ignored. */
export function prefersRespondAsync(prefer: string | undefined): boolean {
  return (prefer ?? '').split(',').some((p) => p.split(';')[0].trim().toLowerCase() === 'respond-async');
}
