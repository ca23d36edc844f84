import { SwitchFeed } from '@agentops/killswitch-client';
import { createRedis } from '@agentops/persistence';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
// Types only: importing the module for real would run the thread's code here.
import type {
  SwitchFeedNotice,
  SwitchFeedWorkerData,
} from '../../libs/killswitch-client/src/switch-feed-worker';
import { REDIS_TEST_URL, runPrefix } from '../support/test-env';

/**
 * The kill-switch feed thread on the real Redis, started as KillSwitchFollower starts it from the
 * sources: it subscribes on its own connection and writes what it hears to the shared feed, where
 * this thread reads it without a message or an event-loop turn of its own.
 */
describe('kill-switch feed thread', () => {
  it('writes what the channel carries to shared memory, in order', async () => {
    const channel = `${runPrefix()}killswitch-feed-test`;
    const feed = new SwitchFeed();
    const src = join(__dirname, '../../libs/killswitch-client/src');
    const workerData: SwitchFeedWorkerData = {
      redisUrl: REDIS_TEST_URL,
      channel,
      connectionName: 'killswitch-feed-test',
      buffer: feed.buffer,
      tsModule: join(src, 'switch-feed-worker.ts'),
    };
    const worker = new Worker(join(__dirname, '../../tools/runtime/ts-worker.js'), { workerData });
    const publisher = createRedis(REDIS_TEST_URL, 'killswitch-feed-test-pub');
    try {
      const notice = await new Promise<SwitchFeedNotice>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(notice).toEqual({ subscribed: true });
      await publisher.publish(channel, '{"n":1}');
      await publisher.publish(channel, '{"n":2}');
      const got: string[] = [];
      for (let i = 0; i < 200 && got.length < 2; i++) {
        got.push(...feed.take());
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(got).toEqual(['{"n":1}', '{"n":2}']);
    } finally {
      publisher.disconnect();
      await worker.terminate();
    }
  });
});
