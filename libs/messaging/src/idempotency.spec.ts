import type { Redis } from 'ioredis';
import { InMemoryIdempotencyStore, RedisIdempotencyStore } from './idempotency';

describe('InMemoryIdempotencyStore', () => {
  it('remembers handled event ids per scope', async () => {
    const store = new InMemoryIdempotencyStore();
    expect(await store.alreadyHandled('guardrail', 'e1')).toBe(false);
    await store.markHandled('guardrail', 'e1');
    expect(await store.alreadyHandled('guardrail', 'e1')).toBe(true);
    expect(await store.alreadyHandled('guardrail', 'e2')).toBe(false);
  });

  it('keeps consumer groups apart', async () => {
    const store = new InMemoryIdempotencyStore();
    await store.markHandled('audit', 'e1');
    expect(await store.alreadyHandled('audit', 'e1')).toBe(true);
    expect(await store.alreadyHandled('killswitch', 'e1')).toBe(false);
  });

  it('forgets the oldest entry once over capacity', async () => {
    const store = new InMemoryIdempotencyStore(3);
    for (const id of ['a', 'b', 'c']) await store.markHandled('g', id);
    expect(await store.alreadyHandled('g', 'a')).toBe(true);

    await store.markHandled('g', 'd');
    expect(await store.alreadyHandled('g', 'a')).toBe(false);
    for (const id of ['b', 'c', 'd']) expect(await store.alreadyHandled('g', id)).toBe(true);

    await store.markHandled('g', 'e');
    expect(await store.alreadyHandled('g', 'b')).toBe(false);
    for (const id of ['c', 'd', 'e']) expect(await store.alreadyHandled('g', id)).toBe(true);
  });

  it('does not evict when an already known id is marked again', async () => {
    const store = new InMemoryIdempotencyStore(2);
    await store.markHandled('g', 'a');
    await store.markHandled('g', 'b');
    await store.markHandled('g', 'b');
    await store.markHandled('g', 'a');
    expect(await store.alreadyHandled('g', 'a')).toBe(true);
    expect(await store.alreadyHandled('g', 'b')).toBe(true);
  });

  it('counts capacity across scopes', async () => {
    const store = new InMemoryIdempotencyStore(2);
    await store.markHandled('g1', 'x');
    await store.markHandled('g2', 'x');
    await store.markHandled('g3', 'x');
    expect(await store.alreadyHandled('g1', 'x')).toBe(false);
    expect(await store.alreadyHandled('g2', 'x')).toBe(true);
    expect(await store.alreadyHandled('g3', 'x')).toBe(true);
  });
});

describe('RedisIdempotencyStore (against a stub client)', () => {
  function stubRedis() {
    const data = new Map<string, string>();
    const calls: unknown[][] = [];
    const client = {
      exists: jest.fn(async (key: string) => (data.has(key) ? 1 : 0)),
      set: jest.fn(async (...args: unknown[]) => {
        calls.push(args);
        data.set(String(args[0]), String(args[1]));
        return 'OK';
      }),
    };
    return { client, data, calls, redis: client as unknown as Redis };
  }

  it('stores a hash-tagged key per scope with a TTL', async () => {
    const stub = stubRedis();
    const store = new RedisIdempotencyStore(stub.redis, 'agentops:', 600);
    await store.markHandled('audit', 'e1');
    expect(stub.calls).toEqual([['agentops:idem:{audit}:e1', '1', 'EX', 600]]);
    expect(await store.alreadyHandled('audit', 'e1')).toBe(true);
    expect(stub.client.exists).toHaveBeenLastCalledWith('agentops:idem:{audit}:e1');
    expect(await store.alreadyHandled('guardrail', 'e1')).toBe(false);
  });

  it('defaults to a seven-day TTL', async () => {
    const stub = stubRedis();
    await new RedisIdempotencyStore(stub.redis, 'p:').markHandled('g', 'e');
    expect(stub.calls[0]).toEqual(['p:idem:{g}:e', '1', 'EX', 7 * 24 * 3600]);
  });
});
