import { CatalogEntry } from '@agentops/policy';
import {
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
} from '@agentops/service-runtime';
import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { CatalogCache } from './catalog-cache';
import { CatalogRepository } from './catalog-repository';
import { RetailFactsCache } from './retail-facts';

const CatalogItem = z
  .object({
    sku: z.string().min(1).max(100),
    price: z.number().nonnegative(),
    floorPrice: z.number().nonnegative(),
    cost: z.number().nonnegative(),
    flagship: z.boolean().default(false),
    brand: z.string().min(1),
    category: z.string().min(1),
    stock: z.number().int().nonnegative().default(0),
    velocity30d: z.number().int().nonnegative().default(0),
    slowMover: z.boolean().default(false),
  })
  .strict();
const CatalogImport = z.object({ items: z.array(CatalogItem).min(1).max(50_000) }).strict();
const RetailFactsImport = z
  .object({
    competitors: z.array(z.string().min(1)).max(1000).default([]),
    ownBrands: z.array(z.string().min(1)).max(1000).default([]),
    approvedFacts: z.array(z.string().min(1)).max(5000).default([]),
  })
  .strict();

/** Retail context import: versioned, tenant-scoped, policy-admin only. */
@Controller('v1/context/:tenantId')
@UseGuards(PrincipalGuard)
export class ContextController {
  constructor(
    private readonly imports: CatalogRepository,
    private readonly catalog: CatalogCache,
    private readonly facts: RetailFactsCache,
  ) {}

  @Put('catalog')
  @RequireRoles('policy-admin')
  async importCatalog(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Body(new ZodValidationPipe(CatalogImport)) body: z.infer<typeof CatalogImport>,
  ) {
    assertTenantAccess(principal, tenantId);
    const entries: CatalogEntry[] = body.items.map((i) => ({ ...i, tenantId }));
    const imported = await this.catalog.importCatalog(entries, principal.id);
    return { tenantId, imported };
  }

  @Put('retail-facts')
  @RequireRoles('policy-admin')
  async importFacts(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Body(new ZodValidationPipe(RetailFactsImport)) body: z.infer<typeof RetailFactsImport>,
  ) {
    assertTenantAccess(principal, tenantId);
    return { tenantId, version: await this.facts.importFacts(tenantId, body, principal.id) };
  }

  @Get()
  @RequireRoles('policy-admin', 'auditor', 'sre')
  async describe(@CurrentPrincipal() principal: Principal, @Param('tenantId') tenantId: string) {
    assertTenantAccess(principal, tenantId);
    const imports = await this.imports.importSummaryFor(tenantId);
    return {
      tenantId,
      catalogItems: this.catalog.countFor(tenantId),
      catalogImports: imports,
      retailFactsVersion: this.facts.versionOf(tenantId),
      retailFacts: this.facts.forTenant(tenantId),
    };
  }
}
