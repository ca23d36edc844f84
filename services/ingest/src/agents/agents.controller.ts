import { AgentRole, Identifier } from '@agentops/contracts';
import { OperatorAuthGuard, ZodValidationPipe } from '@agentops/service-runtime';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AgentRegistry } from './agent-registry';

const AgentRegistrationBody = z.object({
  id: Identifier,
  tenantId: Identifier,
  name: z.string().min(1).max(200),
  role: AgentRole,
  version: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  labels: z.record(z.string(), z.string().max(200)).optional(),
  ownerTeam: z.string().max(100).optional(),
});

/** Operator API for the agent registry. */
@Controller('v1/agents')
@UseGuards(OperatorAuthGuard)
export class AgentsController {
  constructor(private readonly registry: AgentRegistry) {}

  @Post()
  @HttpCode(201)
  async register(@Body(new ZodValidationPipe(AgentRegistrationBody)) body: z.infer<typeof AgentRegistrationBody>) {
    return this.registry.register(body);
  }

  @Get()
  async list(@Query('tenantId') tenantId?: string) {
    return { agents: await this.registry.list(tenantId) };
  }
}
