import { AuditRecordCount, AuditRecordPage } from '@agentops/contracts';
import {
  ALL_TENANTS,
  ApiResponse,
  CurrentPrincipal,
  Principal,
  PrincipalGuard,
  RequireRoles,
  SERVICE_CONFIG,
  ServiceMetrics,
  ZodValidationPipe,
  assertTenantAccess,
  canAccessTenant,
  pageQuery,
  tenantOfRead,
} from '@agentops/service-runtime';
import { AuditConfig } from '../config';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { PayloadPrivacy } from '../privacy/payload-privacy';
import { failedEventIds, tenantViewOfReport } from '../verification/tenant-view';
import { AuditChainRepository } from './audit-chain-repository';
import { AuditQuery, AuditRecordRepository } from './audit-record-repository';

const isoTime = z.string().datetime({ offset: true });
const RecordsQuery = z.object({
  tenantId: z.string().max(100).optional(),
  correlationId: z.string().uuid().optional(),
  agentId: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  verdict: z.enum(['allow', 'deny', 'escalate', 'modify']).optional(),
  decidedBy: z.string().max(40).optional(),
  type: z.string().max(100).optional(),
  actorKind: z.enum(['agent', 'human', 'breaker', 'system']).optional(),
  subject: z.string().max(100).optional(),
  /** Decisions one of whose checked claims got this verdict (the guardrail's `grounding`). */
  claimVerdict: z.enum(['SUPPORTED', 'CONTRADICTED', 'STALE', 'UNVERIFIABLE']).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  ...pageQuery({ maxLimit: 1000 }).shape,
});
type RecordsQuery = z.infer<typeof RecordsQuery>;

const VerifyQuery = z.object({
  chainId: z.string().max(200).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
});

const SubjectLookup = z.object({
  tenantId: z.string().min(1).max(100),
  kind: z.enum(['customer', 'email', 'phone', 'card', 'iban', 'address']),
  value: z.string().min(1).max(1000),
});

const TenantParam = z.object({ tenantId: z.string().min(1).max(100) });

/**
 * The audit read side: filtered, cursor-paginated records (JSON or NDJSON), chain verification,
 * per-record proofs, and erasure of data subjects. Auditors see their own tenant; the operator
 * (admin of every tenant) sees all.
 */
@Controller('v1/audit')
@UseGuards(PrincipalGuard)
export class AuditQueryController {
  constructor(
    private readonly records: AuditRecordRepository,
    private readonly chains: AuditChainRepository,
    @Inject(PayloadPrivacy) private readonly privacy: PayloadPrivacy,
    @Inject(SERVICE_CONFIG) private readonly config: AuditConfig,
    private readonly metrics: ServiceMetrics,
  ) {}

  @Get('records')
  @RequireRoles('auditor')
  @ApiResponse(200, AuditRecordPage, 'a page of records, oldest first; `next` fetches the next')
  async list(
    @Query(new ZodValidationPipe(RecordsQuery)) q: RecordsQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    return this.records.query(this.scoped(q, principal));
  }

  /** The same filters as NDJSON, every page, streamed: one record per line. */
  @Get('records/export')
  @RequireRoles('auditor')
  @ApiResponse(
    200,
    { contentType: 'application/x-ndjson' },
    'every matching record, one AuditRecord per line',
  )
  async export(
    @Query(new ZodValidationPipe(RecordsQuery)) q: RecordsQuery,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const scoped = this.scoped({ ...q, limit: 1000 }, principal);
    res.status(200).setHeader('content-type', 'application/x-ndjson');
    let cursor = q.cursor;
    for (;;) {
      const page = await this.records.query({ ...scoped, cursor });
      for (const r of page.records) res.write(`${JSON.stringify(r)}\n`);
      if (!page.next) break;
      cursor = page.next;
    }
    res.end();
  }

  @Get('stats')
  @RequireRoles('auditor')
  @ApiResponse(200, AuditRecordCount, "how many records the caller's tenant has")
  async stats(@Query('tenantId') tenantId: string | undefined, @CurrentPrincipal() principal: Principal) {
    return { records: await this.records.count(tenantOfRead(principal, tenantId)) };
  }

  /** Recomputes every chain (or one, or a range) and reports the first broken record and why. */
  @Get('verify')
  @RequireRoles('auditor')
  async verify(
    @Query(new ZodValidationPipe(VerifyQuery)) q: z.infer<typeof VerifyQuery>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const report = await this.chains.verify({ ...q, trustedKeyIds: this.trustedKeyIds() });
    this.metrics.auditVerifications.inc({ result: report.ok ? 'ok' : 'failed' });
    if (principal.tenantId === ALL_TENANTS) return report;
    // Chains mix tenants: a tenant's auditor learns where a chain broke, not another tenant's record.
    const owners = await this.records.tenantsOf(failedEventIds(report));
    return tenantViewOfReport(report, principal.tenantId, owners);
  }

  /** One record's hash, position and the signed checkpoint that covers it. */
  @Get('records/:eventId/proof')
  @RequireRoles('auditor')
  async proof(@Param('eventId') eventId: string, @CurrentPrincipal() principal: Principal) {
    if (!z.string().uuid().safeParse(eventId).success)
      throw new BadRequestException('eventId must be a UUID');
    const found = await this.chains.prove(eventId, this.trustedKeyIds());
    // Another tenant's record is as unknown as a missing one: a proof would reveal that it exists.
    if (!found || !canAccessTenant(principal, found.record.tenantId))
      throw new NotFoundException(`no audit record for event ${eventId}`);
    return found.proof;
  }

  /** The subject reference for a clear value (POST, so the value never lands in an access log). */
  @Post('subjects/lookup')
  @RequireRoles('admin')
  lookup(
    @Body(new ZodValidationPipe(SubjectLookup)) body: z.infer<typeof SubjectLookup>,
    @CurrentPrincipal() principal: Principal,
  ) {
    assertTenantAccess(principal, body.tenantId);
    return {
      tenantId: body.tenantId,
      subjectRef: this.privacy.subjectRefFor(body.tenantId, body.kind, body.value),
    };
  }

  /** Right to erasure: destroys the subject's key; records and hashes stay, clear values are gone. */
  @Delete('subjects/:subjectRef')
  @RequireRoles('admin')
  async erase(
    @Param('subjectRef') subjectRef: string,
    @Query(new ZodValidationPipe(TenantParam)) q: z.infer<typeof TenantParam>,
    @CurrentPrincipal() principal: Principal,
  ) {
    assertTenantAccess(principal, q.tenantId);
    if (!/^[a-z]+_[0-9a-f]{32}$/.test(subjectRef))
      throw new BadRequestException('subjectRef must look like customer_<32 hex>');
    const result = await this.chains.eraseSubject(q.tenantId, subjectRef);
    if (!result.erased) throw new NotFoundException(`no subject ${subjectRef} in tenant ${q.tenantId}`);
    return { subjectRef, tenantId: q.tenantId, ...result };
  }

  private trustedKeyIds(): string[] | undefined {
    const ids = this.config.AUDIT_TRUSTED_KEY_IDS;
    return ids.length ? ids : undefined;
  }

  /** Tenant isolation: a tenant's user only ever queries their tenant; asking for another is 403. */
  private scoped(q: RecordsQuery, principal: Principal): AuditQuery {
    return { ...q, tenantId: tenantOfRead(principal, q.tenantId) };
  }
}
