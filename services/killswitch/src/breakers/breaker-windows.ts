import { Redis } from '@agentops/persistence';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { KillswitchConfig } from '../config';
import { BreakerDefinition } from './breaker-definition';
import { WindowMeasure, windowMeasureOf } from './breaker-state';
import { Observation, SlidingWindow } from './sliding-window';

/**
 * The breakers' sliding windows, one per breaker and cohort key. Every killswitch instance feeds
 * the windows of the signals on its partitions into the same store, so a window survives the
 * rebalance that moves its partition to another instance, and a tenant's window gathers the
 * signals of all its agents whichever instances consume them.
 */
export abstract class BreakerWindows {
  /**
   * Adds the signal's observation (once per `signalId`: a redelivered event counts once) and
   * measures the window at `now`: the sum, the rate (null below `minSamples`) or the distinct keys.
   */
  abstract observe(
    def: BreakerDefinition,
    cohortKey: string,
    signalId: string,
    observation: Observation,
    now: number,
  ): Promise<number | null>;

  /** Empties the window: a trip or a half-open probe measures afresh. */
  abstract clear(def: BreakerDefinition, cohortKey: string): Promise<void>;
}

/** One instance's windows in memory: for the unit tests, and the reference the Redis store matches. */
export class MemoryBreakerWindows extends BreakerWindows {
  private readonly windows = new Map<string, { window: SlidingWindow; seen: Set<string> }>();

  async observe(
    def: BreakerDefinition,
    cohortKey: string,
    signalId: string,
    observation: Observation,
    now: number,
  ): Promise<number | null> {
    const id = `${def.name}\u0000${cohortKey}`;
    let w = this.windows.get(id);
    if (!w) {
      w = { window: new SlidingWindow(def.window), seen: new Set() };
      this.windows.set(id, w);
    }
    if (!w.seen.has(signalId)) {
      w.seen.add(signalId);
      w.window.add(observation);
    }
    return measureWindow(windowMeasureOf(def), w.window, now, def.minSamples);
  }

  async clear(def: BreakerDefinition, cohortKey: string): Promise<void> {
    this.windows.delete(`${def.name}\u0000${cohortKey}`);
  }
}

export function measureWindow(
  kind: WindowMeasure,
  w: SlidingWindow,
  now: number,
  minSamples: number,
): number | null {
  if (kind === 'rate') return w.rate(now, minSamples);
  return kind === 'distinct' ? w.distinct(now) : w.sum(now);
}

/**
 * KEYS: observations (zset of `signalId|value` by time), their running sum, distinct keys (zset of
 * key by latest time). ARGV: now - window (observations at or before it are gone), the time, the
 * signal id, the value, the distinct key ('' for none), the measure, min samples, ttl in ms.
 * Returns the measure as a string (Lua numbers would come back truncated to integers), or nil.
 */
const OBSERVE_SCRIPT = `
local from = tonumber(ARGV[1])
local value = tonumber(ARGV[4])
if redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[3] .. '|' .. ARGV[4]) == 1 then
  redis.call('INCRBYFLOAT', KEYS[2], ARGV[4])
  if ARGV[5] ~= '' and value > 0 then
    local seen = redis.call('ZSCORE', KEYS[3], ARGV[5])
    if not seen or tonumber(seen) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[5]) end
  end
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', from)
if #gone > 0 then
  local sub = 0
  for _, m in ipairs(gone) do sub = sub + tonumber(string.match(m, '|([^|]*)$')) end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', from)
  redis.call('INCRBYFLOAT', KEYS[2], -sub)
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', from)
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then redis.call('SET', KEYS[2], '0') end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[8]) end
if ARGV[6] == 'distinct' then return tostring(redis.call('ZCARD', KEYS[3])) end
local sum = tonumber(redis.call('GET', KEYS[2]))
if ARGV[6] == 'rate' then
  if n < tonumber(ARGV[7]) then return nil end
  return tostring(sum / n)
end
return tostring(sum)
`;

/** The windows in Redis, shared by the instances; each observation is one atomic script. */
@Injectable()
export class RedisBreakerWindows extends BreakerWindows {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG)
    private readonly config: Pick<KillswitchConfig, 'REDIS_KEY_PREFIX' | 'KAFKA_TOPIC_PREFIX'>,
  ) {
    super();
  }

  async observe(
    def: BreakerDefinition,
    cohortKey: string,
    signalId: string,
    observation: Observation,
    now: number,
  ): Promise<number | null> {
    const measured = (await this.redis.eval(
      OBSERVE_SCRIPT,
      3,
      ...this.keys(def, cohortKey),
      String(now - def.window),
      String(observation.at),
      signalId,
      String(observation.value),
      observation.key ?? '',
      windowMeasureOf(def),
      String(def.minSamples),
      // Kept a little past the window: an idle cohort's keys expire on their own.
      String(def.window + 60_000),
    )) as string | null;
    return measured === null ? null : Number(measured);
  }

  async clear(def: BreakerDefinition, cohortKey: string): Promise<void> {
    await this.redis.del(...this.keys(def, cohortKey));
  }

  private keys(def: BreakerDefinition, cohortKey: string): [string, string, string] {
    // One hash tag per window: its three keys live on one cluster slot.
    const base = `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}killswitch:breaker:{${def.name}/${cohortKey}}`;
    return [`${base}:obs`, `${base}:sum`, `${base}:keys`];
  }
}
