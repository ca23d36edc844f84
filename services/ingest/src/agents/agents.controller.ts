import {
  AgentKeyRotated,
  AgentList,
  AgentRegistered,
  AgentRole,
  AgentScopesInput,
  AgentScopesSet,
  Identifier,
} from '@agentops/contracts';
import { egressPolicyFor } from '@agentops/egress';
import {
  ALL_TENANTS,
  ApiResponse,
  CurrentPrincipal,
  PageQuery,
  Principal,
  PrincipalGuard,
  RequireRoles,
  SERVICE_CONFIG,
  ZodValidationPipe,
  assertTenantAccess,
  tenantOfRead,
} from '@agentops/service-runtime';
import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import { IngestConfig } from '../config';
import { AgentRegistry } from './agent-registry';
import { MAX_ROTATION_GRACE_SECONDS } from './api-key';
import { callbackLabelIssue } from './callback-label';
import { KeyRetirementFeed } from './key-retirement-feed';

const AgentRegistrationBody = z.object({
  id: Identifier,
  tenantId: Identifier,
  name: z.string().min(1).max(200),
  role: AgentRole,
  version: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  labels: z.record(z.string(), z.string().max(200)).optional(),
  ownerTeam: z.string().max(100).optional(),
  scopes: AgentScopesInput.optional(),
});
const ScopesBody = z.object({ scopes: AgentScopesInput.nullable() }).strict();
const AgentListQuery = PageQuery.extend({ tenantId: z.string().max(100).optional() });

/** The body is optional: no body (or `{}`) rotates with no grace period. */
const RotateKeyBody = z
  .object({ graceSeconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS).default(0) })
  .strict()
  .optional()
  .transform((b) => b ?? { graceSeconds: 0 });

/** The agent registry for humans: admins register agents and manage their scopes. */
@Controller('v1/agents')
@UseGuards(PrincipalGuard)
export class AgentsController {
  constructor(
    private readonly registry: AgentRegistry,
    private readonly retirements: KeyRetirementFeed,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireRoles('admin')
  @ApiResponse(201, AgentRegistered, 'the agent and its API key, shown this once')
  async register(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(AgentRegistrationBody)) body: z.infer<typeof AgentRegistrationBody>,
  ) {
    assertTenantAccess(principal, body.tenantId);
    const callback = callbackLabelIssue(body.labels, egressPolicyFor(this.config.AGENTOPS_ENV));
    if (callback)
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'validation failed',
        issues: [callback],
      });
    return this.registry.register(body);
  }

  @Get()
  @RequireRoles('admin', 'sre', 'auditor', 'policy-admin', 'reviewer')
  @ApiResponse(
    200,
    AgentList,
    "the caller's tenant's agents (a platform principal's: every tenant's, or `tenantId`'s)",
  )
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(AgentListQuery)) q: z.infer<typeof AgentListQuery>,
  ) {
    const { items, next } = await this.registry.list(tenantOfRead(principal, q.tenantId), q);
    return { agents: items, next };
  }

  /** Scopes bound what an agent may propose; the change history is kept (agent_scope_changes). */
  @Put(':agentId/scopes')
  @RequireRoles('admin', 'policy-admin')
  @ApiResponse(200, AgentScopesSet, 'the agent with its new scopes')
  async setScopes(
    @CurrentPrincipal() principal: Principal,
    @Param('agentId') agentId: string,
    @Body(new ZodValidationPipe(ScopesBody)) body: z.infer<typeof ScopesBody>,
  ) {
    const agent = await this.agentOf(principal, agentId);
    return { agent: await this.registry.setScopes(agent.tenantId, agentId, body.scopes, principal.id) };
  }

  /**
   * Issues a new key and retires the agent's previous keys, at once or after `graceSeconds` (the
   * old key keeps working meanwhile). The new key is in the answer, once.
   */
  @Post(':agentId/keys/rotate')
  @HttpCode(200)
  @RequireRoles('admin')
  @ApiResponse(200, AgentKeyRotated, 'the new key (once) and when the previous keys stop working')
  async rotateKey(
    @CurrentPrincipal() principal: Principal,
    @Param('agentId') agentId: string,
    @Body(new ZodValidationPipe(RotateKeyBody)) body: z.infer<typeof RotateKeyBody>,
  ) {
    const agent = await this.agentOf(principal, agentId);
    const rotated = await this.registry.rotateKey(agent.tenantId, agentId, body.graceSeconds);
    if (!rotated) throw new NotFoundException(`unknown agent ${agentId}`);
    await this.retirements.announce(rotated.retiredKeyIds);
    return {
      agent: rotated.agent,
      apiKey: rotated.apiKey,
      keyId: rotated.keyId,
      previousKeysExpireAt: rotated.previousKeysExpireAt,
    };
  }

  /** The caller's tenant's agent; another tenant's is as unknown as one never registered (404). */
  private async agentOf(principal: Principal, agentId: string) {
    const tenant = principal.tenantId === ALL_TENANTS ? undefined : principal.tenantId;
    const agent = await this.registry.find(agentId, tenant);
    if (!agent) throw new NotFoundException(`unknown agent ${agentId}`);
    return agent;
  }
}
