import {
  CurrentPrincipal,
  PageQuery,
  PageRequest,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
} from '@agentops/service-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { RolloutCommands } from './rollout-commands';
import { ActionRequest, ApplyRequest, PromoteRequest, RolloutRef } from './rollout-requests';

/**
 * Rollouts (`kind: AgentRollout`). Applying and acting on one needs the `sre` role (or admin);
 * reading needs any authenticated human. Tenant-bound callers only see and touch their tenant's.
 */
@Controller('v1/rollouts')
@UseGuards(PrincipalGuard)
export class RolloutsController {
  constructor(private readonly commands: RolloutCommands) {}

  @Post()
  @HttpCode(201)
  @RequireRoles('sre')
  async apply(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(ApplyRequest)) body: ApplyRequest,
  ) {
    return this.commands.apply(principal, body);
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(PageQuery)) page: PageRequest,
  ) {
    const { items, next } = await this.commands.list(principal, page);
    return { rollouts: items, next };
  }

  @Get(':id')
  async status(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodValidationPipe(RolloutRef)) ref: string,
  ) {
    return this.commands.status(principal, ref);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireRoles('sre')
  async pause(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodValidationPipe(RolloutRef)) ref: string,
    @Body(new ZodValidationPipe(ActionRequest)) body: ActionRequest,
  ) {
    return this.commands.pause(principal, ref, body.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireRoles('sre')
  async resume(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodValidationPipe(RolloutRef)) ref: string,
    @Body(new ZodValidationPipe(ActionRequest)) body: ActionRequest,
  ) {
    return this.commands.resume(principal, ref, body.reason);
  }

  @Post(':id/promote')
  @HttpCode(200)
  @RequireRoles('sre')
  async promote(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodValidationPipe(RolloutRef)) ref: string,
    @Body(new ZodValidationPipe(PromoteRequest)) body: PromoteRequest,
  ) {
    return this.commands.promote(principal, ref, body.variant, body.reason);
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @RequireRoles('sre')
  async rollback(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ZodValidationPipe(RolloutRef)) ref: string,
    @Body(new ZodValidationPipe(ActionRequest)) body: ActionRequest,
  ) {
    return this.commands.rollback(principal, ref, body.reason);
  }
}
