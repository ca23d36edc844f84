import { AgentIdentity, IntentProposal } from '@agentops/contracts';
import {
  AllowServices,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
} from '@agentops/service-runtime';
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { IntentEvaluation } from './intent-evaluation';

const PreviewRequest = z.object({ agent: AgentIdentity, intent: IntentProposal }).strict();

/** What-if evaluation for humans and services: the verdict an intent would get, with no side effect. */
@Controller('v1/evaluations')
@UseGuards(PrincipalGuard)
export class EvaluationsController {
  constructor(private readonly evaluation: IntentEvaluation) {}

  @Post()
  @HttpCode(200)
  @RequireRoles('reviewer', 'lead', 'policy-admin')
  // escalation re-checks a reviewer's edited params here, with its own service credentials.
  @AllowServices('escalation')
  async preview(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(PreviewRequest)) body: { agent: AgentIdentity; intent: IntentProposal },
  ) {
    assertTenantAccess(principal, body.agent.tenantId);
    return this.evaluation.previewProposal(body.agent, body.intent);
  }
}
