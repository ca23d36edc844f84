import { EscalationOpenedV1, IntentDecidedV1 } from '@agentops/contracts';
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

export interface StoredDecision {
  agentId: string;
  decision: IntentDecidedV1;
}

/** The review an escalated intent waits in, as escalation opened it (its route and SLA). */
export interface ReviewTask {
  taskId: string;
  route: string;
  slaDueAt?: string;
  timeoutAt?: string;
  timeoutOutcome?: 'deny' | 'allow';
}

/** What a waiter hears while no final decision has come: the escalate verdict, then its task. */
export interface ReviewNews {
  escalated?: IntentDecidedV1;
  task?: ReviewTask;
}

export function reviewTaskOf(opened: EscalationOpenedV1): ReviewTask {
  return {
    taskId: opened.taskId,
    route: opened.route,
    slaDueAt: opened.slaDueAt,
    timeoutAt: opened.timeoutAt,
    timeoutOutcome: opened.timeoutOutcome,
  };
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
  private readonly reviewWatchers = new Map<string, Set<(news: ReviewNews) => void>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
  ) {}

  /** Waits for the final decision (never an `escalate`); `signal` ends the wait early. */
  wait(intentId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult<IntentDecidedV1>> {
    return this.waiter.wait(intentId, timeoutMs, signal);
  }

  /**
   * An `escalate` verdict is not an answer: the waiter's final decision is the human's (or the
   * SLA's). Those watching the intent's review hear of it, to tell the agent it is pending review.
   */
  /** Returns whether an agent waiting here heard it. */
  wakeWaiters(decision: IntentDecidedV1): boolean {
    if (decision.verdict === 'escalate') return this.tell(decision.intentId, { escalated: decision });
    return this.waiter.deliver(decision.intentId, decision);
  }

  /** escalation opened the intent's task: local watchers learn its id, route and SLA. */
  wakeReviewWatchers(opened: EscalationOpenedV1): void {
    this.tell(opened.intentId, { task: reviewTaskOf(opened) });
  }

  /** Hears the intent's review news until the returned function is called. */
  watchReview(intentId: string, listener: (news: ReviewNews) => void): () => void {
    const set = this.reviewWatchers.get(intentId) ?? new Set();
    set.add(listener);
    this.reviewWatchers.set(intentId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.reviewWatchers.get(intentId) === set) this.reviewWatchers.delete(intentId);
    };
  }

  /** Kept beside the decision so that any instance can tell a polling agent where its review is. */
  async recordReview(opened: EscalationOpenedV1): Promise<void> {
    await this.redis.set(
      this.reviewKey(opened.intentId),
      JSON.stringify(reviewTaskOf(opened)),
      'EX',
      this.ttlSeconds,
    );
  }

  async findReview(intentId: string): Promise<ReviewTask | null> {
    const raw = await this.redis.get(this.reviewKey(intentId));
    return raw ? (JSON.parse(raw) as ReviewTask) : null;
  }

  /**
   * First final decision wins: an agent told "deny (timeout)" is never later shown a different
   * answer. A stored `escalate` verdict is provisional: the final decision replaces it (atomically,
   * in Redis), while a later `escalate` never replaces anything. `replaceEscalate: false` is
   * ingest's own fail-closed deny: it is recorded only where nothing was decided, never over an
   * escalation (the human's decision must still reach the agent).
   */
  async record(decision: IntentDecidedV1, options: { replaceEscalate?: boolean } = {}): Promise<void> {
    const value: StoredDecision = { agentId: decision.agentId, decision };
    const replaceEscalate = decision.verdict !== 'escalate' && (options.replaceEscalate ?? true);
    await this.redis.eval(
      RECORD_SCRIPT,
      1,
      this.key(decision.intentId),
      JSON.stringify(value),
      String(this.ttlSeconds),
      replaceEscalate ? '1' : '0',
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
    this.reviewWatchers.clear();
  }

  private tell(intentId: string, news: ReviewNews): boolean {
    const listeners = this.reviewWatchers.get(intentId) ?? new Set();
    for (const listener of listeners) listener(news);
    return listeners.size > 0;
  }

  private reviewKey(intentId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}ingest:review:${intentId}`;
  }

  private key(intentId: string): string {
    return `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}ingest:decision:${intentId}`;
  }
}
