import {
  ALL_TENANTS,
  Clock,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  ZodValidationPipe,
  tenantOfRead,
} from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { TrafficWindow } from './traffic-window';

const OverviewQuery = z.object({
  windowSeconds: z.coerce.number().int().min(1).max(300).default(60),
  tenantId: z.string().max(100).optional(),
});

/** `GET /v1/overview`: live intents per second and verdict mix by agent role, for the caller's tenant. */
@Controller('v1/overview')
@UseGuards(PrincipalGuard)
export class OverviewController {
  constructor(
    private readonly traffic: TrafficWindow,
    private readonly clock: Clock,
  ) {}

  @Get()
  overview(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(OverviewQuery)) q: z.infer<typeof OverviewQuery>,
  ) {
    const tenantId = tenantOfRead(principal, q.tenantId);
    const now = this.clock.now();
    return {
      tenantId: tenantId ?? ALL_TENANTS,
      generatedAt: now.toISOString(),
      ...this.traffic.snapshot(tenantId, q.windowSeconds, now.getTime()),
    };
  }
}
