import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  pageQuery,
  tenantOfRead,
} from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { PolicyFireCounter } from './policy-fire-counter';

const FiresQuery = pageQuery()
  .extend({ tenantId: z.string().min(1).max(100).optional() })
  .strict();

/** `GET /v1/policies/fires`: how often each policy fired, for the caller's tenant. */
@Controller('v1/policies')
@UseGuards(PrincipalGuard)
export class PolicyFiresController {
  constructor(private readonly fires: PolicyFireCounter) {}

  @Get('fires')
  @RequireRoles('policy-admin', 'auditor', 'sre', 'reviewer', 'lead')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(FiresQuery)) q: z.infer<typeof FiresQuery>,
  ) {
    const { items, next } = await this.fires.list(tenantOfRead(principal, q.tenantId), q);
    return { fires: items, next };
  }
}
