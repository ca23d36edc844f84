import { CounterSlot, CounterSnapshot, CounterWindow, CounterWrite, memberValue } from '@agentops/policy';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GuardrailConfig } from '../config';

/**
 * Rolling counters per agent and cohort, shared by every guardrail instance: the store reads the
 * window of every counter a batch concerns at once and records the batch's contributions at once
 * (the batch in between is pure: `CounterBatchView` of @agentops/policy).
 */
export abstract class RollingCounterStore {
  /** The store key of a counter's scope for a tenant. */
  abstract keyOf(tenantId: string, counter: string, scope: string): string;
  /**
   * The windows `[now - windowMs, now]` of these slots, and which of the probed count members they
   * already hold: one round trip.
   */
  abstract snapshot(slots: CounterSlot[], probes: CounterWrite[], now: number): Promise<CounterSnapshot>;
  /** Adds the writes at `now` and trims each key's window: one round trip. */
  abstract record(writes: CounterWrite[], now: number): Promise<void>;
}

/**
 * Redis sorted sets (score = time of the contribution), one per counter and scope. A snapshot is
 * one pipeline (ZCOUNT and ZMSCORE for counts, ZRANGEBYSCORE for sums), a record one pipeline
 * (ZADD per write, then per key one trim and one expiry).
 */
@Injectable()
export class RedisRollingCounterStore extends RollingCounterStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: GuardrailConfig,
  ) {
    super();
  }

  keyOf(tenantId: string, counter: string, scope: string): string {
    return counterKey(this.config, tenantId, counter, scope);
  }

  async snapshot(slots: CounterSlot[], probes: CounterWrite[], now: number): Promise<CounterSnapshot> {
    const keys = new Map<string, CounterSlot['def']>();
    for (const { def, key } of slots) keys.set(key, def);
    const probed = new Map<string, string[]>();
    for (const p of probes) {
      if (!keys.has(p.key)) continue;
      const members = probed.get(p.key) ?? [];
      if (!members.includes(p.member)) members.push(p.member);
      probed.set(p.key, members);
    }
    const snapshot: CounterSnapshot = new Map();
    if (keys.size === 0) return snapshot;
    const pipeline = this.redis.pipeline();
    const reads: { key: string; def: CounterSlot['def']; read: 'zcount' | 'zmscore' | 'members' }[] = [];
    for (const [key, def] of keys) {
      const from = now - def.windowMs;
      if (def.kind === 'sum') {
        pipeline.zrangebyscore(key, from, '+inf');
        reads.push({ key, def, read: 'members' });
        continue;
      }
      pipeline.zcount(key, from, '+inf');
      reads.push({ key, def, read: 'zcount' });
      const members = probed.get(key);
      if (members?.length) {
        pipeline.zmscore(key, ...members);
        reads.push({ key, def, read: 'zmscore' });
      }
    }
    const results = (await pipeline.exec()) ?? [];
    reads.forEach(({ key, def, read }, i) => {
      const [err, value] = results[i];
      if (err) throw err;
      const window: CounterWindow = snapshot.get(key) ?? { kind: def.kind, total: 0, present: new Set() };
      snapshot.set(key, window);
      if (read === 'members') {
        for (const m of value as string[]) window.present.add(m);
        window.total = (value as string[]).reduce((s, m) => s + memberValue(m), 0);
      } else if (read === 'zcount') {
        window.total = Number(value);
      } else {
        const scores = value as (string | null)[];
        probed.get(key)!.forEach((m, j) => {
          const score = scores[j];
          if (score !== null && Number(score) >= now - def.windowMs) window.present.add(m);
        });
      }
    });
    return snapshot;
  }

  async record(writes: CounterWrite[], now: number): Promise<void> {
    if (writes.length === 0) return;
    const pipeline = this.redis.pipeline();
    const windows = new Map<string, number>();
    for (const w of writes) {
      pipeline.zadd(w.key, now, w.member);
      windows.set(w.key, w.windowMs);
    }
    for (const [key, windowMs] of windows) {
      pipeline.zremrangebyscore(key, '-inf', now - windowMs).pexpire(key, windowMs + 60_000);
    }
    const results = (await pipeline.exec()) ?? [];
    for (const [err] of results) if (err) throw err;
  }
}

/** The tenant in a hash tag keeps one tenant's counters in one Redis Cluster slot. */
export function counterKey(
  config: Pick<GuardrailConfig, 'REDIS_KEY_PREFIX' | 'KAFKA_TOPIC_PREFIX'>,
  tenantId: string,
  counter: string,
  scope: string,
): string {
  return `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}guardrail:{${tenantId}}:${counter}:${scope}`;
}
