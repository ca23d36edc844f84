import { CURRENT_PRICE_TABLE, costByGroup } from '@agentops/genai';
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
import { COST_GROUPINGS, TraceStore } from './trace-store';

const CostQuery = pageQuery().extend({
  groupBy: z.enum(COST_GROUPINGS).default('agent'),
  tenantId: z.string().min(1).max(100).optional(),
});

/**
 * LLM cost from the token usage on agents' spans in the trace store, per agent, agent version,
 * cohort (the agent's registered role and region) or intent, priced with the versioned table of libs/genai. A model that is missing or not in the
 * table is reported as unknown (`complete: false`, `unknownModels`), never as $0.
 */
@Controller('v1/costs')
@UseGuards(PrincipalGuard)
export class CostsController {
  constructor(private readonly store: TraceStore) {}

  @Get()
  @RequireRoles('sre', 'auditor', 'policy-admin', 'lead')
  async costs(
    @Query(new ZodValidationPipe(CostQuery)) q: z.infer<typeof CostQuery>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const tenant = tenantOfRead(principal, q.tenantId) ?? null;
    const { items, next } = await this.store.usageBy(tenant, q.groupBy, q);
    const groups = costByGroup(items, CURRENT_PRICE_TABLE);
    return {
      groupBy: q.groupBy,
      currency: CURRENT_PRICE_TABLE.currency,
      priceTableVersion: CURRENT_PRICE_TABLE.version,
      groups,
      next,
    };
  }
}
