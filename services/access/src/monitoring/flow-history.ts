import { AccessStep, encodeFlowHistory, flowHistoryKey } from '@agentops/access-anomaly';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AccessConfig } from '../config';

/** One agent's recent steps, as guardrail's flow rules read them. */
export interface AgentFlowHistory {
  tenantId: string;
  agentId: string;
  steps: readonly AccessStep[];
}

/**
 * Where agents' recent steps go for guardrail's flow rules (a port): guardrail denies an egress
 * intent over them before it runs (docs/architecture-notes.md § Flow rules).
 */
export abstract class FlowHistoryWriter {
  /** Replaces each agent's stored steps; they expire `ttlMs` after the newest (none left to judge). */
  abstract write(histories: readonly AgentFlowHistory[], ttlMs: number): Promise<void>;
}

/**
 * One SET with an expiry per agent judged in a batch, all in one pipeline: the whole window, so a
 * lost write is repaired by the agent's next batch.
 */
@Injectable()
export class RedisFlowHistoryWriter extends FlowHistoryWriter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: AccessConfig,
  ) {
    super();
  }

  async write(histories: readonly AgentFlowHistory[], ttlMs: number): Promise<void> {
    if (histories.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const h of histories)
      pipeline.set(
        flowHistoryKey(this.config, h.tenantId, h.agentId),
        encodeFlowHistory(h.steps),
        'PX',
        Math.max(1000, Math.ceil(ttlMs)),
      );
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0]!;
  }
}
