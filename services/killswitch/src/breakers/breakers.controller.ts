import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  ZodValidationPipe,
  tenantOfRead,
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
    const states = this.engine.states(tenantOfRead(principal, q.tenantId));
    return { definitions: this.engine.breakers, states };
  }
}
