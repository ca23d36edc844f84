import { BreakerDefinition } from '../../services/killswitch/src/breakers/breaker-definition';
import {
  MemoryBreakerWindows,
  RedisBreakerWindows,
} from '../../services/killswitch/src/breakers/breaker-windows';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * The breakers' windows in Redis, shared by killswitch instances, measure what one instance's
 * in-memory SlidingWindow measures on the same streams: sums, rates with their minimum samples,
 * distinct keys, each forgetting what is a window old; a redelivered signal counts once.
 */
const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const WINDOW = 60_000;

const breaker = (name: string, metric: BreakerDefinition['metric'], minSamples = 5) =>
  ({ name, metric, window: WINDOW, minSamples }) as BreakerDefinition;

describe('RedisBreakerWindows', () => {
  const suite = redisForSuite('breaker-windows');
  const redisWindows = new RedisBreakerWindows(suite.redis, suite.config);

  afterAll(() => suite.close());

  /** A stream of observations a few seconds apart, some a window older than the last. */
  const stream = (n: number, value: (i: number) => number, key?: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => ({
      id: `signal-${i}`,
      observation: { at: T0 + i * 7_000, value: value(i), key: key?.(i) },
    }));

  it.each([
    ['sum', breaker('sum', 'total_discount_value'), stream(30, (i) => (i % 4) * 12.5)],
    ['rate', breaker('rate', 'deny_rate'), stream(30, (i) => (i % 3 === 0 ? 1 : 0))],
    [
      'distinct',
      breaker('distinct', 'distinct_skus_repriced'),
      stream(
        30,
        () => 1,
        (i) => `SKU-${i % 11}`,
      ),
    ],
  ])('measures a %s as the in-memory window does, observation by observation', async (_, def, signals) => {
    const memory = new MemoryBreakerWindows();
    const fromRedis: (number | null)[] = [];
    const fromMemory: (number | null)[] = [];
    for (const s of signals) {
      const now = s.observation.at;
      fromRedis.push(await redisWindows.observe(def, 'maison/a1', s.id, s.observation, now));
      fromMemory.push(await memory.observe(def, 'maison/a1', s.id, s.observation, now));
    }
    expect(fromRedis.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9))).toEqual(
      fromMemory.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9)),
    );
    expect(fromRedis.slice(0, 4)).toEqual(
      def.metric === 'deny_rate' ? [null, null, null, null] : fromMemory.slice(0, 4),
    );
  });

  it('counts a redelivered signal once, keeps cohorts apart, and starts afresh once cleared', async () => {
    const def = breaker('redelivery', 'verification_violations');
    const o = (at: number) => ({ at, value: 1 });
    expect(await redisWindows.observe(def, 'maison/a1', 'e1', o(T0), T0)).toBe(1);
    expect(await redisWindows.observe(def, 'maison/a1', 'e1', o(T0), T0 + 1)).toBe(1);
    expect(await redisWindows.observe(def, 'maison/a1', 'e2', o(T0 + 2), T0 + 2)).toBe(2);
    expect(await redisWindows.observe(def, 'maison/a2', 'e3', o(T0 + 3), T0 + 3)).toBe(1);
    await redisWindows.clear(def, 'maison/a1');
    expect(await redisWindows.observe(def, 'maison/a1', 'e4', o(T0 + 4), T0 + 4)).toBe(1);
    // A window later, everything before has gone.
    expect(await redisWindows.observe(def, 'maison/a1', 'e5', o(T0 + 4 + WINDOW), T0 + 4 + WINDOW)).toBe(1);
  });
});
