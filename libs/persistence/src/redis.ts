import Redis from 'ioredis';

export type { Redis } from 'ioredis';

/** One connection per instance; fails fast instead of queueing commands forever when Redis is gone. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
}
