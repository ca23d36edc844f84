import { AccessStep, encodeFlowHistory, flowHistoryKey } from '@agentops/access-anomaly';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AccessConfig } from '../config';

/**
 * Where an agent's recent steps go for guardrail's flow rules (a port): guardrail denies an egress
 * intent over them before it runs (docs/architecture-notes.md § Flow rules).
 */
export abstract class FlowHistoryWriter {
  /** Replaces the agent's stored steps; they expire `ttlMs` after the newest (none left to judge). */
  abstract write(
    tenantId: string,
    agentId: string,
    steps: readonly AccessStep[],
    ttlMs: number,
  ): Promise<void>;
}

/** One SET with an expiry per judged event: the whole window, so a lost write is repaired by the next. */
@Injectable()
export class RedisFlowHistoryWriter extends FlowHistoryWriter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: AccessConfig,
  ) {
    super();
  }

  async write(tenantId: string, agentId: string, steps: readonly AccessStep[], ttlMs: number): Promise<void> {
    await this.redis.set(
      flowHistoryKey(this.config, tenantId, agentId),
      encodeFlowHistory(steps),
      'PX',
      Math.max(1000, Math.ceil(ttlMs)),
    );
  }
}
