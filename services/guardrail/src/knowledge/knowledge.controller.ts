import {
  CurrentPrincipal,
  IntParam,
  Principal,
  PrincipalGuard,
  RequireRoles,
  ZodValidationPipe,
  assertTenantAccess,
  pageQuery,
} from '@agentops/service-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { KnowledgeHistory, MAX_LISTED_VERSIONS } from './knowledge-history';
import { KnowledgeImport } from './knowledge-import';

/** The largest import accepted over HTTP (the route's body limit is set in the blueprint). */
export const MAX_IMPORT_CHARS = 16 * 1024 * 1024;

const ImportBody = z
  .object({
    format: z.enum(['json', 'yaml', 'csv']),
    /** The file as text: a whole document (JSON, YAML) or product rows (CSV, over the current version). */
    content: z.string().min(1).max(MAX_IMPORT_CHARS),
    /** Required when the import removes more than 20 % of the tenant's products. */
    force: z.boolean().default(false),
  })
  .strict();
const ListQuery = pageQuery({ defaultLimit: 50, maxLimit: MAX_LISTED_VERSIONS }).strict();

/** A tenant's approved knowledge: import (policy admins), versions and diffs (also auditors and SREs). */
@Controller('v1/knowledge/:tenantId')
@UseGuards(PrincipalGuard)
export class KnowledgeController {
  constructor(
    private readonly importer: KnowledgeImport,
    private readonly history: KnowledgeHistory,
  ) {}

  @Post('imports')
  @HttpCode(201)
  @RequireRoles('policy-admin')
  async import(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Body(new ZodValidationPipe(ImportBody)) body: z.infer<typeof ImportBody>,
  ) {
    assertTenantAccess(principal, tenantId);
    return this.importer.import({ tenantId, ...body, importedBy: principal.id });
  }

  @Get('versions')
  @RequireRoles('policy-admin', 'auditor', 'sre')
  async versions(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @Query(new ZodValidationPipe(ListQuery)) q: z.infer<typeof ListQuery>,
  ) {
    assertTenantAccess(principal, tenantId);
    const { items, next } = await this.history.list(tenantId, q);
    return { tenantId, versions: items, next };
  }

  @Get('versions/:a/diff/:b')
  @RequireRoles('policy-admin', 'auditor', 'sre')
  async diff(
    @CurrentPrincipal() principal: Principal,
    @Param('tenantId') tenantId: string,
    @IntParam('a') a: number,
    @IntParam('b') b: number,
  ) {
    assertTenantAccess(principal, tenantId);
    return { tenantId, ...(await this.history.diff(tenantId, a, b)) };
  }
}
