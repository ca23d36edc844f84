import { CounterDefinition, CounterSlot, CounterWrite } from '@agentops/policy';
import { GuardrailConfig } from '../../services/guardrail/src/config';
import { RedisRollingCounterStore } from '../../services/guardrail/src/counters/rolling-counter-store';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * Guardrail's rolling counters on the real Redis (the store `intent-evaluation.spec.ts` fakes):
 * sorted sets scored by time, one snapshot pipeline and one record pipeline per batch. Times are
 * the test's own numbers (the store takes `now` from its caller), never the wall clock's. Keys
 * are under this suite's own prefix and deleted at the end.
 */
const MINUTE = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');

const def = (name: string, kind: 'count' | 'sum', windowMs = 10 * MINUTE): CounterDefinition => ({
  name,
  kind,
  windowMs,
  scope: () => null,
  contribution: () => null,
});

describe('RedisRollingCounterStore on Redis', () => {
  const suite = redisForSuite('it-counters');
  const { redis } = suite;
  const store = new RedisRollingCounterStore(redis, suite.config as GuardrailConfig);
  let n = 0;
  const slot = (d: CounterDefinition, tenant = 'maison'): CounterSlot => ({
    def: d,
    key: store.keyOf(tenant, d.name, `agent-${n++}`),
  });
  const write = (s: CounterSlot, member: string): CounterWrite => ({
    key: s.key,
    kind: s.def.kind,
    member,
    windowMs: s.def.windowMs,
  });

  afterAll(() => suite.close());

  it('names keys under the deployment’s prefixes with the tenant as the hash tag', () => {
    expect(store.keyOf('maison', 'agentDistinctSkus10m', 'pricing-1')).toBe(
      `${suite.config.REDIS_KEY_PREFIX}${suite.config.KAFKA_TOPIC_PREFIX}guardrail:{maison}:agentDistinctSkus10m:pricing-1`,
    );
  });

  it('counts the distinct members inside the window at now: older ones drop out, a repeated member counts once', async () => {
    const s = slot(def('skus', 'count'));
    await store.record([write(s, 'SKU-1'), write(s, 'SKU-2')], T0);
    await store.record([write(s, 'SKU-3')], T0 + 5 * MINUTE);
    await store.record([write(s, 'SKU-1')], T0 + 6 * MINUTE); // SKU-1 again: moves, not added
    expect((await store.snapshot([s], [], T0 + 9 * MINUTE)).get(s.key)?.total).toBe(3);
    // At T0+12m SKU-2 (written at T0) is older than 10 minutes; SKU-1 was re-stamped at T0+6m.
    expect((await store.snapshot([s], [], T0 + 12 * MINUTE)).get(s.key)?.total).toBe(2);
    expect((await store.snapshot([s], [], T0 + 17 * MINUTE)).get(s.key)?.total).toBe(0);
  });

  it('tells which probed members the window already holds, only for keys the snapshot reads', async () => {
    const s = slot(def('skus', 'count'));
    const unread = slot(def('other', 'count'));
    await store.record([write(s, 'OLD')], T0);
    await store.record([write(s, 'NEW'), write(unread, 'NEW')], T0 + 8 * MINUTE);
    const snap = await store.snapshot(
      [s],
      [write(s, 'OLD'), write(s, 'NEW'), write(s, 'NEW'), write(s, 'NEVER'), write(unread, 'NEW')],
      T0 + 11 * MINUTE,
    );
    expect(snap.get(s.key)).toEqual({ kind: 'count', total: 1, present: new Set(['NEW']) });
    expect(snap.has(unread.key)).toBe(false);
  });

  it('sums the values of the members inside the window and lists them all', async () => {
    const s = slot(def('refunds', 'sum', 60 * MINUTE));
    await store.record([write(s, 'r1|450'), write(s, 'r2|120.5')], T0);
    await store.record([write(s, 'r3|1000')], T0 + 30 * MINUTE);
    expect((await store.snapshot([s], [], T0 + 59 * MINUTE)).get(s.key)).toEqual({
      kind: 'sum',
      total: 1570.5,
      present: new Set(['r1|450', 'r2|120.5', 'r3|1000']),
    });
    expect((await store.snapshot([s], [], T0 + 61 * MINUTE)).get(s.key)).toEqual({
      kind: 'sum',
      total: 1000,
      present: new Set(['r3|1000']),
    });
  });

  it('reads an empty window for a key never written, and nothing at all for no slots', async () => {
    const s = slot(def('skus', 'count'));
    const sum = slot(def('refunds', 'sum'));
    const snap = await store.snapshot([s, sum], [write(s, 'X')], T0);
    expect(snap.get(s.key)).toEqual({ kind: 'count', total: 0, present: new Set() });
    expect(snap.get(sum.key)).toEqual({ kind: 'sum', total: 0, present: new Set() });
    expect((await store.snapshot([], [write(s, 'X')], T0)).size).toBe(0);
  });

  it('trims what falls out of the window when recording and expires a key a minute after its window', async () => {
    const s = slot(def('skus', 'count', 10 * MINUTE));
    await store.record([write(s, 'A'), write(s, 'B')], T0);
    await store.record([write(s, 'C')], T0 + 11 * MINUTE);
    expect(await redis.zrange(s.key, 0, -1)).toEqual(['C']);
    const ttl = await redis.pttl(s.key);
    expect(ttl).toBeGreaterThan(11 * MINUTE - 5_000);
    expect(ttl).toBeLessThanOrEqual(11 * MINUTE);
  });

  it('keeps tenants apart: the same counter and scope of two tenants are two windows', async () => {
    const d = def('skus', 'count');
    const a: CounterSlot = { def: d, key: store.keyOf('tenant-a', d.name, 'agent-x') };
    const b: CounterSlot = { def: d, key: store.keyOf('tenant-b', d.name, 'agent-x') };
    await store.record([write(a, 'S1'), write(a, 'S2'), write(b, 'S1')], T0);
    const snap = await store.snapshot([a, b], [], T0 + MINUTE);
    expect([snap.get(a.key)?.total, snap.get(b.key)?.total]).toEqual([2, 1]);
  });

  it('loses no contribution when instances record into one key at once', async () => {
    const s = slot(def('skus', 'count'));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.record([write(s, `SKU-${i}-a`), write(s, `SKU-${i}-b`)], T0 + i),
      ),
    );
    expect((await store.snapshot([s], [], T0 + MINUTE)).get(s.key)?.total).toBe(20);
  });
});
