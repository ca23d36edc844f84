import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  pageQuery,
  tenantOfRead,
} from '@agentops/service-runtime';
import { Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { TraceStore } from './trace-store';

/** A trace carries up to 10,000 spans, so a page holds few traces. */
const TraceQuery = pageQuery({ defaultLimit: 20, maxLimit: 100 }).extend({
  intentId: z.string().uuid(),
  /** The operator (every tenant) may narrow to one; anyone else may only name their own. */
  tenantId: z.string().min(1).max(100).optional(),
});
const TraceIdParam = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex digits'),
});

/** The roles that look at traces: operators of the platform, not reviewers of single tasks. */
const TRACE_READERS = ['sre', 'auditor', 'policy-admin', 'lead'] as const;

/**
 * The embedded trace store's read side, for the console's waterfall: an intent's traces, and one
 * trace's spans. Tenant-scoped: another tenant's trace is 404, as an unknown one.
 */
@Controller('v1/traces')
@UseGuards(PrincipalGuard)
export class TracesController {
  constructor(private readonly store: TraceStore) {}

  @Get()
  @RequireRoles(...TRACE_READERS)
  async ofIntent(
    @Query(new ZodValidationPipe(TraceQuery)) q: z.infer<typeof TraceQuery>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const tenant = this.tenantOf(principal, q.tenantId);
    const { items, next } = await this.store.tracesOfIntent(tenant, q.intentId, q);
    const traces = [];
    for (const traceId of items) traces.push({ traceId, spans: await this.store.spansOf(tenant, traceId) });
    return { traces, next };
  }

  @Get(':traceId')
  @RequireRoles(...TRACE_READERS)
  async trace(
    @Param(new ZodValidationPipe(TraceIdParam)) p: z.infer<typeof TraceIdParam>,
    @Query('tenantId') tenantId: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ) {
    const spans = await this.store.spansOf(this.tenantOf(principal, tenantId), p.traceId);
    if (!spans.length) throw new NotFoundException(`trace ${p.traceId} not found`);
    return { traceId: p.traceId, spans };
  }

  private tenantOf(principal: Principal, named: string | undefined): string | null {
    return tenantOfRead(principal, named) ?? null;
  }
}
