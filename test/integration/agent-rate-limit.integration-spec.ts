import Redis from 'ioredis';
import { ServiceMetrics } from '@agentops/service-runtime';
import { AgentRateLimiter } from '../../services/ingest/src/agents/agent-rate-limit';
import { IngestConfig } from '../../services/ingest/src/config';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * Ingest's per-agent rate limits on the real Redis: one budget per tenant, agent and API shared by
 * every ingest instance (two limiters over one Redis here), refusals with the time to wait, and
 * counting in memory when Redis cannot be reached. Keys are under this suite's own prefix and
 * deleted at the end.
 */
describe('AgentRateLimiter on Redis', () => {
  const suite = redisForSuite('it-rate');
  let n = 0;
  const limiterOf = (limit: number, windowSeconds = 60, redis: Redis = suite.redis) =>
    new AgentRateLimiter(
      redis,
      {
        ...suite.config,
        AGENT_RATE_LIMIT_REQUESTS: limit,
        AGENT_RATE_LIMIT_WINDOW_SECONDS: windowSeconds,
      } as IngestConfig,
      new ServiceMetrics('ingest'),
    );
  const agent = (tenantId = 'maison') => ({ tenantId, id: `it-agent-${n++}` });

  // Until the connection is ready every limiter counts in memory (rejectIfRedisNotReady).
  beforeAll(() => suite.redis.ping());
  afterAll(() => suite.close());

  it('shares one budget per agent and API between instances, counting down, then refuses on each', async () => {
    const [a, b] = [limiterOf(3), limiterOf(3)];
    const me = agent();
    expect(await a.consume(me, 'intents')).toMatchObject({ allowed: true, limit: 3, remaining: 2 });
    expect(await b.consume(me, 'intents')).toMatchObject({ allowed: true, remaining: 1 });
    expect(await a.consume(me, 'intents')).toMatchObject({ allowed: true, remaining: 0 });
    const refused = await b.consume(me, 'intents');
    expect(refused).toMatchObject({ allowed: false, limit: 3, firstRefusal: true });
    expect(await a.consume(me, 'intents')).toMatchObject({ allowed: false, firstRefusal: false });
    if (refused.allowed) throw new Error('unreachable');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('keeps the budgets of each API, each agent and each tenant apart', async () => {
    const limiter = limiterOf(1);
    const me = agent('tenant-a');
    expect((await limiter.consume(me, 'telemetry')).allowed).toBe(true);
    expect((await limiter.consume(me, 'telemetry')).allowed).toBe(false);
    expect((await limiter.consume(me, 'intents')).allowed).toBe(true);
    expect((await limiter.consume(me, 'outcomes')).allowed).toBe(true);
    expect((await limiter.consume({ ...me, tenantId: 'tenant-b' }, 'telemetry')).allowed).toBe(true);
    expect((await limiter.consume(agent('tenant-a'), 'telemetry')).allowed).toBe(true);
  });

  it('gives the budget back once the window has passed', async () => {
    const limiter = limiterOf(1, 1);
    const me = agent();
    expect((await limiter.consume(me, 'intents')).allowed).toBe(true);
    const refused = await limiter.consume(me, 'intents');
    expect(refused.allowed).toBe(false);
    if (refused.allowed) throw new Error('unreachable');
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 100));
    expect(await limiter.consume(me, 'intents')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('counts in Redis under the deployment’s prefix', async () => {
    const limiter = limiterOf(5);
    const me = agent();
    await limiter.consume(me, 'outcomes');
    await limiter.consume(me, 'outcomes');
    const key = `${suite.config.REDIS_KEY_PREFIX}${suite.config.KAFKA_TOPIC_PREFIX}ingest:rate:${me.tenantId}:${me.id}:outcomes`;
    expect(await suite.redis.get(key)).toBe('2');
    expect(await suite.redis.pttl(key)).toBeGreaterThan(0);
  });

  it('counts in memory when Redis cannot be reached: the limit still holds', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    try {
      const limiter = limiterOf(2, 60, dead);
      const me = agent();
      expect((await limiter.consume(me, 'intents')).allowed).toBe(true);
      expect((await limiter.consume(me, 'intents')).allowed).toBe(true);
      expect((await limiter.consume(me, 'intents')).allowed).toBe(false);
    } finally {
      dead.disconnect();
    }
  });

  it('lets everything through when the limit is 0 (limits off)', async () => {
    const limiter = limiterOf(0);
    const me = agent();
    for (let i = 0; i < 5; i++) expect((await limiter.consume(me, 'intents')).allowed).toBe(true);
  });
});
