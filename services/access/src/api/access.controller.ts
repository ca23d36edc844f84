import {
  AccessAnomalyList,
  AccessAnomalyQuery,
  AccessBaselineList,
  AccessBaselineQuery,
} from '@agentops/contracts';
import {
  ApiResponse,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  ZodValidationPipe,
} from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessReads } from './access-reads';

/** Data-access monitoring, read-only: any authenticated human, tenant-bound callers their tenant's only. */
@Controller('v1/access')
@UseGuards(PrincipalGuard)
export class AccessController {
  constructor(private readonly reads: AccessReads) {}

  @Get('anomalies')
  @ApiResponse(200, AccessAnomalyList, 'anomalies, newest first, with their explanation and quarantine')
  async anomalies(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(AccessAnomalyQuery)) query: AccessAnomalyQuery,
  ) {
    const { items, next } = await this.reads.anomalies(principal, query);
    return { anomalies: items, next };
  }

  @Get('baselines')
  @ApiResponse(200, AccessBaselineList, "each agent's baseline per intent beside its open bucket")
  async baselines(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(AccessBaselineQuery)) query: AccessBaselineQuery,
  ) {
    return { baselines: await this.reads.baselines(principal, query) };
  }
}
