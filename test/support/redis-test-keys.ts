import { Redis, createRedis } from '@agentops/persistence';
import { REDIS_TEST_URL, runPrefix } from './test-env';

/**
 * A Redis connection for a store's integration spec and a key prefix of its own (under this run's),
 * so the suite's keys meet no other suite's or service's; `close` deletes them and disconnects.
 */
export function redisForSuite(suite: string): {
  redis: Redis;
  config: { REDIS_KEY_PREFIX: string; KAFKA_TOPIC_PREFIX: string };
  close(): Promise<void>;
} {
  const redis = createRedis(REDIS_TEST_URL, `${suite}-test`);
  const config = { REDIS_KEY_PREFIX: `agentops-test:${runPrefix()}`, KAFKA_TOPIC_PREFIX: `${suite}.` };
  return {
    redis,
    config,
    async close() {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(
          cursor,
          'MATCH',
          `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}*`,
          'COUNT',
          1000,
        );
        keys.push(...found);
        cursor = next;
      } while (cursor !== '0');
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
