import { AgentRole, AgentScopes, Identifier } from '@agentops/contracts';
import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
} from '@agentops/service-runtime';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
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
  scopes: AgentScopes.optional(),
});
const ScopesBody = z.object({ scopes: AgentScopes.nullable() }).strict();

/** The agent registry for humans: admins register agents and manage their scopes. */
@Controller('v1/agents')
@UseGuards(PrincipalGuard)
export class AgentsController {
  constructor(private readonly registry: AgentRegistry) {}

  @Post()
  @HttpCode(201)
  @RequireRoles('admin')
  async register(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(AgentRegistrationBody)) body: z.infer<typeof AgentRegistrationBody>,
  ) {
    assertTenantAccess(principal, body.tenantId);
    return this.registry.register(body);
  }

  @Get()
  @RequireRoles('admin', 'sre', 'auditor', 'policy-admin', 'reviewer')
  async list(@CurrentPrincipal() principal: Principal, @Query('tenantId') tenantId?: string) {
    const tenant = principal.tenantId === '*' ? tenantId : principal.tenantId;
    return { agents: await this.registry.list(tenant) };
  }

  /** Scopes bound what an agent may propose; the change history is kept (agent_scope_changes). */
  @Put(':agentId/scopes')
  @RequireRoles('admin', 'policy-admin')
  async setScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('agentId') agentId: string,
    @Body(new ZodValidationPipe(ScopesBody)) body: z.infer<typeof ScopesBody>,
  ) {
    const agent = await this.registry.find(agentId);
    if (!agent) throw new NotFoundException(`unknown agent ${agentId}`);
    assertTenantAccess(principal, agent.tenantId);
    return { agent: await this.registry.setScopes(agentId, body.scopes, principal.id) };
  }
}
