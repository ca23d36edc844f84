import {
  AccessStep,
  REPORTED_STEPS_MAX,
  encodeFlowStep,
  flowRulesWindowMs,
  reportedStepsKey,
} from '@agentops/access-anomaly';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IngestConfig } from '../config';

/**
 * Where an agent's reported reads and egresses are logged before the report is answered (a port):
 * guardrail's flow gate reads them with the access service's history, so an egress the agent
 * proposes right after a read is judged with that read (libs/access-anomaly egress-flow.ts).
 */
export abstract class ReportedAccessLog {
  abstract append(tenantId: string, agentId: string, step: AccessStep): Promise<void>;
}

/** One pipelined RPUSH + LTRIM + PEXPIRE: the list keeps the newest steps for the longest rule window. */
@Injectable()
export class RedisReportedAccessLog extends ReportedAccessLog {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
  ) {
    super();
  }

  async append(tenantId: string, agentId: string, step: AccessStep): Promise<void> {
    const key = reportedStepsKey(this.config, tenantId, agentId);
    const results = await this.redis
      .multi()
      .rpush(key, encodeFlowStep(step))
      .ltrim(key, -REPORTED_STEPS_MAX, -1)
      .pexpire(key, flowRulesWindowMs())
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('reported access step not logged');
  }
}
