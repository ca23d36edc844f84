import { BackoffSchedule, backoffDelayMs } from '@agentops/retry';
import Redis from 'ioredis';

export type { Redis } from 'ioredis';

/** Reconnects: 50–100 ms, 100–200 ms … at most 2 s (equal jitter: never a tight loop, never in step). */
const RECONNECT_BACKOFF: BackoffSchedule = { initialDelayMs: 100, maxDelayMs: 2_000, jitter: 'equal' };

/** One connection per instance; fails fast instead of queueing commands forever when Redis is gone. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => backoffDelayMs(times, RECONNECT_BACKOFF),
  });
}
