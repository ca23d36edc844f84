import {
  publishTokenRevocation,
  publishUserEpoch,
  restoreUserEpochs,
  revocationKeys,
} from '@agentops/service-runtime';
import { redisForSuite } from '../support/redis-test-keys';

/**
 * The token revocation state in the real Redis (libs/service-runtime `revocation.ts`): the console
 * raises user epochs (never lowers them, also when a resync races a change) and denies single
 * tokens until they would have expired, announcing each on the revocation channel the verifiers
 * subscribe to. Keys and channel are under this suite's own prefix and deleted at the end.
 */
describe('token revocation keys on Redis', () => {
  const suite = redisForSuite('it-revocation');
  const { redis } = suite;
  const keys = revocationKeys(suite.config);
  const subscriber = redis.duplicate();
  const announced: unknown[] = [];
  let n = 0;
  const user = () => `it-user-${n++}`;
  const epochOf = async (userId: string) => redis.get(keys.userEpoch(userId));
  /**
   * The announcements about `id` (a user or a token id) once `count` have arrived, or after 2 s.
   * Pub/sub delivers late: an earlier test's announcements may still come in, so each test looks
   * only at its own ids.
   */
  const heardAbout = async (id: string, count: number) => {
    const mine = () => announced.filter((a) => Object.values(a as object).includes(id));
    for (let i = 0; i < 200 && mine().length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return mine();
  };

  beforeAll(async () => {
    await subscriber.subscribe(keys.channel);
    subscriber.on('message', (_channel, message) => announced.push(JSON.parse(message)));
  });

  afterAll(async () => {
    subscriber.disconnect();
    await suite.close();
  });

  it('stores a user’s new epoch and announces the user on the channel', async () => {
    const id = user();
    await publishUserEpoch(redis, keys, id, 3);
    expect(await epochOf(id)).toBe('3');
    expect(await heardAbout(id, 1)).toEqual([{ userId: id }]);
  });

  it('never lowers an epoch: a late or repeated lower one leaves the higher one', async () => {
    const id = user();
    await publishUserEpoch(redis, keys, id, 5);
    await publishUserEpoch(redis, keys, id, 4);
    await publishUserEpoch(redis, keys, id, 5);
    expect(await epochOf(id)).toBe('5');
    await publishUserEpoch(redis, keys, id, 6);
    expect(await epochOf(id)).toBe('6');
  });

  it('restores lost epochs without lowering any and without announcing', async () => {
    const [lost, higher, lower] = [user(), user(), user()];
    await publishUserEpoch(redis, keys, higher, 9);
    await publishUserEpoch(redis, keys, lower, 1);
    await heardAbout(higher, 1);
    await heardAbout(lower, 1);
    await restoreUserEpochs(redis, keys, [
      { userId: lost, epoch: 2 },
      { userId: higher, epoch: 7 },
      { userId: lower, epoch: 4 },
    ]);
    await restoreUserEpochs(redis, keys, []);
    expect([await epochOf(lost), await epochOf(higher), await epochOf(lower)]).toEqual(['2', '9', '4']);
    await new Promise((r) => setTimeout(r, 100));
    expect(await heardAbout(lost, 0)).toEqual([]);
    expect(await heardAbout(higher, 1)).toHaveLength(1);
    expect(await heardAbout(lower, 1)).toHaveLength(1);
  });

  it('keeps concurrent raises of one epoch at the highest', async () => {
    const id = user();
    await Promise.all([4, 9, 2, 7, 9, 1].map((e) => publishUserEpoch(redis, keys, id, e)));
    expect(await epochOf(id)).toBe('9');
  });

  it('denies a single token until a minute after it expires, and announces it', async () => {
    const tokenId = `it-token-${n++}`;
    await publishTokenRevocation(redis, keys, tokenId, new Date(Date.now() + 10 * 60_000));
    expect(await redis.get(keys.token(tokenId))).toBe('1');
    const ttl = await redis.pttl(keys.token(tokenId));
    expect(ttl).toBeGreaterThan(10 * 60_000);
    expect(ttl).toBeLessThanOrEqual(11 * 60_000 + 1_000);
    expect(await heardAbout(tokenId, 1)).toEqual([{ tokenId }]);
  });

  it('writes and announces nothing for a token that has expired already', async () => {
    const tokenId = `it-token-${n++}`;
    await publishTokenRevocation(redis, keys, tokenId, new Date(Date.now() - 1_000));
    expect(await redis.exists(keys.token(tokenId))).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await heardAbout(tokenId, 0)).toEqual([]);
  });
});
