import {
  ALL_TENANTS,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  ZodValidationPipe,
  assertTenantAccess,
} from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { BreakerEngine } from './breaker-engine';

const BreakersQuery = z.object({ tenantId: z.string().min(1).max(100).optional() }).strict();

/**
 * `GET /v1/breakers`: the loaded definitions (platform configuration, the same for everyone) and
 * the state of the caller's tenant's cohorts; platform principals see every tenant's, or one's with
 * `?tenantId=`.
 */
@Controller('v1/breakers')
@UseGuards(PrincipalGuard)
export class BreakersController {
  constructor(private readonly engine: BreakerEngine) {}

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(BreakersQuery)) q: z.infer<typeof BreakersQuery>,
  ) {
    if (q.tenantId) assertTenantAccess(principal, q.tenantId);
    const tenantId = principal.tenantId === ALL_TENANTS ? q.tenantId : principal.tenantId;
    return { definitions: this.engine.breakers, states: this.engine.states(tenantId) };
  }
}
