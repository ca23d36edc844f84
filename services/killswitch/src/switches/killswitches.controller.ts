import { KillSwitch, KillSwitchHistory, KillSwitchList, KillSwitchPreview } from '@agentops/contracts';
import {
  AllowServices,
  ApiResponse,
  CurrentPrincipal,
  PageQuery,
  PageRequest,
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
  // rollout halts a rolled-back candidate's cohort here, access quarantines an agent whose data
  // access is anomalous, each with its own service credentials.
  @AllowServices('rollout', 'access')
  @ApiResponse(201, KillSwitch, 'the switch, active and fanned out')
  async flip(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(FlipRequest)) body: FlipRequest,
  ) {
    return this.commands.flip(principal, body);
  }

  /** Read-only: how many agents a flip with this selector would halt (no role beyond reading). */
  @Post('preview')
  @HttpCode(200)
  @ApiResponse(200, KillSwitchPreview, 'the agents a flip would halt')
  async preview(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(PreviewRequest)) body: PreviewRequest,
  ) {
    return this.commands.preview(principal, body.selector);
  }

  @Post(':id/release')
  @HttpCode(200)
  @RequireRoles('sre')
  @ApiResponse(200, KillSwitch, 'the switch, released (releasing a released switch changes nothing)')
  async release(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body(new ZodValidationPipe(ReleaseRequest)) body: ReleaseRequest,
  ) {
    return this.commands.release(principal, id, body.reason);
  }

  @Get()
  @ApiResponse(200, KillSwitchList, "the caller's switches (active by default)")
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(ListQuery)) query: z.infer<typeof ListQuery>,
  ) {
    const { items, next } = await this.commands.list(principal, query.state, query);
    return { switches: items, next };
  }

  @Get('history')
  @ApiResponse(200, KillSwitchHistory, 'the changes of every switch the caller may see, newest first')
  async history(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(PageQuery)) page: PageRequest,
  ) {
    const { items, next } = await this.commands.history(principal, page);
    return { history: items, next };
  }

  @Get(':id')
  @ApiResponse(200, KillSwitch, 'the switch')
  async one(@CurrentPrincipal() principal: Principal, @UuidParam('id') id: string) {
    return this.commands.get(principal, id);
  }

  @Get(':id/history')
  @ApiResponse(200, KillSwitchHistory, "the switch's changes, newest first")
  async switchHistory(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query(new ZodValidationPipe(PageQuery)) page: PageRequest,
  ) {
    const { items, next } = await this.commands.history(principal, page, id);
    return { history: items, next };
  }
}
