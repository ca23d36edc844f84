import {
  AllowServices,
  CurrentPrincipal,
  PrincipalGuard,
  Principal,
  RequireRoles,
  UuidParam,
  ZodValidationPipe,
} from '@agentops/service-runtime';
import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { SwitchCommands } from './switch-commands';
import { FlipRequest, ListQuery, PreviewRequest, ReleaseRequest } from './switch-requests';

/**
 * Kill switches. Flip and release need the `sre` role (or admin); reading needs any authenticated
 * human. Tenant-bound callers only see and touch their tenant's switches.
 */
@Controller('v1/killswitches')
@UseGuards(PrincipalGuard)
export class KillSwitchesController {
  constructor(private readonly commands: SwitchCommands) {}

  @Post()
  @HttpCode(201)
  @RequireRoles('sre')
  // rollout halts a rolled-back candidate's cohort here, with its own service credentials.
  @AllowServices('rollout')
  async flip(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(FlipRequest)) body: FlipRequest,
  ) {
    return this.commands.flip(principal, body);
  }

  /** Read-only: how many agents a flip with this selector would halt (no role beyond reading). */
  @Post('preview')
  @HttpCode(200)
  async preview(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(PreviewRequest)) body: PreviewRequest,
  ) {
    return this.commands.preview(principal, body.selector);
  }

  @Post(':id/release')
  @HttpCode(200)
  @RequireRoles('sre')
  async release(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body(new ZodValidationPipe(ReleaseRequest)) body: ReleaseRequest,
  ) {
    return this.commands.release(principal, id, body.reason);
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(ListQuery)) query: z.infer<typeof ListQuery>,
  ) {
    return { switches: await this.commands.list(principal, query.state) };
  }

  @Get('history')
  async history(@CurrentPrincipal() principal: Principal) {
    return { history: await this.commands.history(principal) };
  }

  @Get(':id')
  async one(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.commands.get(principal, id);
  }

  @Get(':id/history')
  async switchHistory(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return { history: await this.commands.history(principal, id) };
  }
}
