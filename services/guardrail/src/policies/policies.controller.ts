import { Identifier } from '@agentops/contracts';
import { CompiledPolicySet } from '@agentops/policy';
import {
  ALL_TENANTS,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
  pageQuery,
  tenantOfRead,
} from '@agentops/service-runtime';
import { Body, Controller, ForbiddenException, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { ActivePolicySets } from './active-policy-sets';
import { PolicySetActivation } from './policy-set-activation';
import { BASELINE, PolicyScope, tenantScope } from './policy-scope';
import { PolicySetStore } from './policy-set-store';

const ApplyPolicySet = z
  .object({
    /** The tenant whose set this is; absent: the platform baseline (platform-wide principals only). */
    tenantId: Identifier.optional(),
    files: z
      .array(z.object({ path: z.string().min(1).max(300), content: z.string().max(200_000) }).strict())
      .min(1)
      .max(500),
  })
  .strict();
const TenantQuery = z.object({ tenantId: Identifier.optional() }).strict();
type TenantQuery = z.infer<typeof TenantQuery>;
const SetsQuery = pageQuery({ defaultLimit: 50 }).extend(TenantQuery.shape).strict();

/**
 * Policy lifecycle, per scope: the platform baseline, which platform-wide principals apply, and one
 * set per tenant over it, which the tenant's policy admins apply and which only adds constraints. A
 * folder of YAML is applied as one set — parsed and type-checked first, rejected whole with every
 * problem's location, otherwise stored and activated on every instance. Reads show the caller's
 * tenant's set and the baseline (read-only for tenants), never another tenant's.
 */
@Controller('v1/policies')
@UseGuards(PrincipalGuard)
export class PoliciesController {
  constructor(
    private readonly store: PolicySetStore,
    private readonly active: ActivePolicySets,
    private readonly activation: PolicySetActivation,
  ) {}

  @Post('sets')
  @HttpCode(201)
  @RequireRoles('policy-admin')
  async apply(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(ApplyPolicySet)) body: z.infer<typeof ApplyPolicySet>,
  ) {
    const scope = body.tenantId ? tenantScope(body.tenantId) : BASELINE;
    if (scope.kind === 'tenant') assertTenantAccess(principal, scope.tenantId);
    else if (principal.tenantId !== ALL_TENANTS)
      throw new ForbiddenException(
        `the platform baseline is applied by platform-wide principals only; apply your tenant's set with tenantId: "${principal.tenantId}"`,
      );
    const set: CompiledPolicySet = await this.activation.apply(scope, body.files, principal.id);
    return {
      ...scopeView(scope),
      version: set.version,
      policies: set.policies.map((p) => ({ id: p.id, version: p.version, mode: p.mode, file: p.file })),
    };
  }

  /**
   * The active sets an intent of the caller's tenant is judged by: the baseline and the tenant's own
   * set (version null while it has none). Platform principals see the baseline and which tenants
   * have sets, or one tenant's with `?tenantId=`.
   */
  @Get()
  @RequireRoles('policy-admin', 'auditor', 'sre', 'reviewer')
  list(@CurrentPrincipal() principal: Principal, @Query(new ZodValidationPipe(TenantQuery)) q: TenantQuery) {
    const tenantId = tenantOfRead(principal, q.tenantId);
    return {
      baseline: activeView(this.active.baseline),
      tenant: tenantId ? { tenantId, ...activeView(this.active.tenant(tenantId)) } : null,
      ...(principal.tenantId === ALL_TENANTS && !tenantId ? { tenants: this.active.tenantVersions() } : {}),
    };
  }

  /** Applied sets, newest first: the baseline's and the caller's tenant's (platform principals: all). */
  @Get('sets')
  @RequireRoles('policy-admin', 'auditor')
  async history(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(SetsQuery)) q: z.infer<typeof SetsQuery>,
  ) {
    const tenantId = tenantOfRead(principal, q.tenantId);
    const scopes: PolicyScope[] | undefined = tenantId ? [BASELINE, tenantScope(tenantId)] : undefined;
    const { items, next } = await this.store.history(scopes, q);
    return {
      next,
      sets: items.map((s) => ({
        ...scopeView(s.scope),
        version: s.version,
        active: s.active,
        appliedBy: s.appliedBy,
        appliedAt: s.appliedAt,
        policies: s.policies.length,
      })),
    };
  }
}

function scopeView(scope: PolicyScope): { scope: 'baseline' } | { scope: 'tenant'; tenantId: string } {
  return scope.kind === 'baseline' ? { scope: 'baseline' } : { scope: 'tenant', tenantId: scope.tenantId };
}

function activeView(set: CompiledPolicySet | null) {
  return {
    version: set?.version ?? null,
    policies: (set?.policies ?? []).map((p) => ({
      id: p.id,
      version: p.version,
      mode: p.mode,
      file: p.file,
    })),
  };
}
