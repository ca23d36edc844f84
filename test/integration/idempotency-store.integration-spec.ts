import { IngestConfig } from '../../services/ingest/src/config';
import {
  IDEMPOTENCY_TTL_SECONDS,
  IdempotencyClaim,
  RedisIdempotencyStore,
} from '../../services/ingest/src/intents/idempotency-store';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * Ingest's Idempotency-Key claims on the real Redis (the port `intent-submission.spec.ts` fakes):
 * SET NX with a 24 h TTL, one key per agent, the first claim holding the key for every retry and
 * for concurrent requests, a claim afresh once the key has expired. Keys are under this suite's
 * own prefix and deleted at the end.
 */
describe('RedisIdempotencyStore on Redis', () => {
  const suite = redisForSuite('it-idem');
  const { redis, config } = suite;
  const store = new RedisIdempotencyStore(redis, config as IngestConfig);
  const keyOf = (agentId: string, key: string) =>
    `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}ingest:idem:${agentId}:${key}`;
  let n = 0;
  const fresh = () => `key-${n++}`;
  const claimOf = (intentId: string, request = `digest-of-${intentId}`): IdempotencyClaim => ({
    intentId,
    request,
  });

  afterAll(() => suite.close());

  it('stores the first claim of a key and answers every later one with it, whatever its body', async () => {
    const key = fresh();
    expect(await store.claim('agent-a', key, claimOf('intent-1'))).toBeNull();
    expect(await store.claim('agent-a', key, claimOf('intent-2', 'another-body'))).toEqual(
      claimOf('intent-1'),
    );
    expect(await store.claim('agent-a', key, claimOf('intent-1'))).toEqual(claimOf('intent-1'));
    expect(JSON.parse((await redis.get(keyOf('agent-a', key)))!)).toEqual(claimOf('intent-1'));
  });

  it('keeps keys per agent: the same Idempotency-Key of two agents claims two intents', async () => {
    const key = fresh();
    expect(await store.claim('agent-a', key, claimOf('intent-a'))).toBeNull();
    expect(await store.claim('agent-b', key, claimOf('intent-b'))).toBeNull();
    expect(await store.claim('agent-b', key, claimOf('x'))).toEqual(claimOf('intent-b'));
    expect(await store.claim('agent-a', key, claimOf('x'))).toEqual(claimOf('intent-a'));
  });

  it('keeps a claim for 24 hours, and a later retry does not extend it', async () => {
    const key = fresh();
    await store.claim('agent-a', key, claimOf('intent-ttl'));
    await redis.pexpire(keyOf('agent-a', key), 3_600_000); // as if 23 h had passed
    await store.claim('agent-a', key, claimOf('retry'));
    const ttl = await redis.pttl(keyOf('agent-a', key));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    const other = fresh();
    await store.claim('agent-a', other, claimOf('intent-new'));
    const full = await redis.pttl(keyOf('agent-a', other));
    expect(full).toBeGreaterThan((IDEMPOTENCY_TTL_SECONDS - 60) * 1000);
    expect(full).toBeLessThanOrEqual(IDEMPOTENCY_TTL_SECONDS * 1000);
  });

  it('claims a key afresh once its claim has expired', async () => {
    const key = fresh();
    await store.claim('agent-a', key, claimOf('intent-old'));
    await redis.pexpire(keyOf('agent-a', key), 20);
    for (let i = 0; i < 100 && (await redis.exists(keyOf('agent-a', key))); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await store.claim('agent-a', key, claimOf('intent-new'))).toBeNull();
    expect(await store.claim('agent-a', key, claimOf('x'))).toEqual(claimOf('intent-new'));
  });

  it('reads a claim stored as a bare intent id (before digests were kept) as a claim without a digest', async () => {
    const key = fresh();
    await redis.set(keyOf('agent-a', key), 'intent-legacy', 'EX', 60);
    expect(await store.claim('agent-a', key, claimOf('intent-new'))).toEqual({ intentId: 'intent-legacy' });
  });

  it('lets exactly one of concurrent claims of a key through, and answers the others with that one', async () => {
    const key = fresh();
    const claims = Array.from({ length: 20 }, (_, i) => claimOf(`intent-${i}`));
    const answers = await Promise.all(claims.map((c) => store.claim('agent-a', key, c)));
    const winners = answers.flatMap((a, i) => (a === null ? [claims[i]] : []));
    expect(winners).toHaveLength(1);
    for (const a of answers) if (a !== null) expect(a).toEqual(winners[0]);
  });
});
