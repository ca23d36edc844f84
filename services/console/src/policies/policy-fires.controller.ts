import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  tenantOfRead,
} from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { PolicyFireCounter } from './policy-fire-counter';

/** `GET /v1/policies/fires`: how often each policy fired, for the caller's tenant. */
@Controller('v1/policies')
@UseGuards(PrincipalGuard)
export class PolicyFiresController {
  constructor(private readonly fires: PolicyFireCounter) {}

  @Get('fires')
  @RequireRoles('policy-admin', 'auditor', 'sre', 'reviewer', 'lead')
  async list(@CurrentPrincipal() principal: Principal, @Query('tenantId') tenantId?: string) {
    return { fires: await this.fires.list(tenantOfRead(principal, tenantId)) };
  }
}
