import { backoffDelayMs } from '@agentops/retry';
import Redis from 'ioredis';
import { parentPort, workerData } from 'node:worker_threads';
import { SwitchFeed } from './switch-feed';

/** What the follower starts its listening thread with. */
export interface SwitchFeedWorkerData {
  redisUrl: string;
  channel: string;
  connectionName: string;
  buffer: SharedArrayBuffer;
  /** Set when running from the TypeScript sources (tests): the module tools/runtime/ts-worker.js loads. */
  tsModule?: string;
}

/** From the listening thread to the follower. */
export type SwitchFeedNotice = { subscribed: true } | { failed: string };

/**
 * The kill-switch feed thread: its own Redis connection, subscribed to the change channel, and an
 * event loop that does nothing else. Each message goes into the shared feed, which the enforcing
 * thread's checks read; that thread's own subscription applies every message too, on its turn.
 */
const data = workerData as SwitchFeedWorkerData;
const port = parentPort!;
const feed = new SwitchFeed(data.buffer);
// ioredis itself, not @agentops/persistence's createRedis: that module brings TypeORM and pg into
// the thread (37 MB of RSS against 22 MB). Reconnects as createRedis does (50–100 ms … 2 s).
const subscriber = new Redis(data.redisUrl, {
  connectionName: data.connectionName,
  retryStrategy: (times) =>
    backoffDelayMs(times, { initialDelayMs: 100, maxDelayMs: 2_000, jitter: 'equal' }),
});
subscriber.on('message', (_channel: string, raw: string) => void feed.write(raw));
subscriber.subscribe(data.channel).then(
  () => port.postMessage({ subscribed: true } satisfies SwitchFeedNotice),
  (error: Error) => port.postMessage({ failed: error.message } satisfies SwitchFeedNotice),
);
