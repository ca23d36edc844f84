import { OperatorAuthGuard, ZodValidationPipe } from '@agentops/service-runtime';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AuditRecordRepository } from './audit-record-repository';

const RecordsQuery = z.object({
  tenantId: z.string().max(100).optional(),
  correlationId: z.string().uuid().optional(),
  agentId: z.string().max(100).optional(),
  type: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

@Controller('v1/audit')
@UseGuards(OperatorAuthGuard)
export class AuditQueryController {
  constructor(private readonly records: AuditRecordRepository) {}

  @Get('records')
  async list(@Query(new ZodValidationPipe(RecordsQuery)) q: z.infer<typeof RecordsQuery>) {
    return { records: await this.records.query(q) };
  }

  @Get('stats')
  async stats(@Query('tenantId') tenantId?: string) {
    return { records: await this.records.count(tenantId) };
  }
}
