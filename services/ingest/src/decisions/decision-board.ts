import { IntentDecidedV1 } from '@agentops/contracts';
import { CorrelationWaiter, WaitResult } from '@agentops/messaging';
import { REDIS } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IngestConfig } from '../config';
import { SERVICE_CONFIG } from '@agentops/service-runtime';

interface StoredDecision {
  agentId: string;
  decision: IntentDecidedV1;
}

/**
 * Where decisions meet the agents waiting for them. Every ingest instance sees every decision
 * (its own consumer group) and wakes its local waiters; one shared group records decisions in
 * Redis so an agent that did not wait can fetch its decision from any instance.
 */
@Injectable()
export class DecisionBoard implements OnModuleDestroy {
  private readonly waiter = new CorrelationWaiter<IntentDecidedV1>();
  private readonly ttlSeconds = 24 * 3600;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
  ) {}

  wait(intentId: string, timeoutMs: number): Promise<WaitResult<IntentDecidedV1>> {
    return this.waiter.wait(intentId, timeoutMs);
  }

  wakeWaiters(decision: IntentDecidedV1): void {
    this.waiter.deliver(decision.intentId, decision);
  }

  /** First decision wins: an agent told "deny (timeout)" is never later shown a different answer. */
  async record(decision: IntentDecidedV1): Promise<void> {
    const value: StoredDecision = { agentId: decision.agentId, decision };
    await this.redis.set(this.key(decision.intentId), JSON.stringify(value), 'EX', this.ttlSeconds, 'NX');
  }

  async find(intentId: string): Promise<StoredDecision | null> {
    const raw = await this.redis.get(this.key(intentId));
    return raw ? (JSON.parse(raw) as StoredDecision) : null;
  }

  get pendingWaiters(): number {
    return this.waiter.pending;
  }

  onModuleDestroy(): void {
    this.waiter.cancelAll();
  }

  private key(intentId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}ingest:decision:${intentId}`;
  }
}
