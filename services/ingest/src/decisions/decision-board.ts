import { IntentDecidedV1 } from '@agentops/contracts';
import { CorrelationWaiter, WaitResult } from '@agentops/messaging';
import { REDIS } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IngestConfig } from '../config';
import { SERVICE_CONFIG } from '@agentops/service-runtime';

/** SET NX, or replace a stored `escalate` when the new decision is final (ARGV[3] = '1'). */
const RECORD_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
  return 1
end
if ARGV[3] == '1' then
  local ok, stored = pcall(cjson.decode, current)
  if ok and type(stored) == 'table' and type(stored.decision) == 'table' and stored.decision.verdict == 'escalate' then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
    return 1
  end
end
return 0
`;

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

  /** An `escalate` verdict is not an answer: the agent keeps waiting for the human (or timeout) one. */
  wakeWaiters(decision: IntentDecidedV1): void {
    if (decision.verdict === 'escalate') return;
    this.waiter.deliver(decision.intentId, decision);
  }

  /**
   * First final decision wins: an agent told "deny (timeout)" is never later shown a different
   * answer. A stored `escalate` verdict is provisional: the final decision replaces it (atomically,
   * in Redis), while a later `escalate` never replaces anything.
   */
  async record(decision: IntentDecidedV1): Promise<void> {
    const value: StoredDecision = { agentId: decision.agentId, decision };
    await this.redis.eval(
      RECORD_SCRIPT,
      1,
      this.key(decision.intentId),
      JSON.stringify(value),
      String(this.ttlSeconds),
      decision.verdict === 'escalate' ? '0' : '1',
    );
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
