import { AgentIdentity } from '@agentops/contracts';
import { ApiResponse, ZodValidationPipe } from '@agentops/service-runtime';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AgentAuthGuard, CurrentAgent } from '../agents/agent-auth.guard';
import { KnowledgeReads } from './knowledge-reads';

const CopyQuery = z
  .object({ campaign: z.string().min(1).max(80).optional(), sku: z.string().min(1).max(64).optional() })
  .strict();

/** Agents read their own tenant's approved knowledge (the tenant comes from the API key). */
@Controller('v1/knowledge')
@UseGuards(AgentAuthGuard)
export class KnowledgeController {
  constructor(private readonly reads: KnowledgeReads) {}

  @Get()
  @ApiResponse(404, undefined, 'the tenant has no approved knowledge yet')
  summary(@CurrentAgent() agent: AgentIdentity) {
    return this.reads.summary(agent.tenantId);
  }

  @Get('products/:sku')
  @ApiResponse(404, undefined, 'no approved knowledge, or none about the SKU')
  product(@CurrentAgent() agent: AgentIdentity, @Param('sku') sku: string) {
    return this.reads.product(agent.tenantId, sku);
  }

  @Get('copy')
  @ApiResponse(404, undefined, 'the tenant has no approved knowledge yet')
  copy(
    @CurrentAgent() agent: AgentIdentity,
    @Query(new ZodValidationPipe(CopyQuery)) q: z.infer<typeof CopyQuery>,
  ) {
    return this.reads.copy(agent.tenantId, q);
  }
}
