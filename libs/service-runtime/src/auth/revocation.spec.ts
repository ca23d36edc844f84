import { RevocationCache, isRevoked, revocationKeys } from './revocation';

describe('token revocation', () => {
  it('a user token is revoked when the user’s epoch rose past it, or its id is denied', () => {
    expect(isRevoked({ kind: 'human', epoch: 2 }, { userEpoch: 2, tokenDenied: false })).toBe(false);
    expect(isRevoked({ kind: 'human', epoch: 2 }, { userEpoch: 3, tokenDenied: false })).toBe(true);
    expect(isRevoked({ kind: 'human', epoch: 0 }, { userEpoch: 0, tokenDenied: true })).toBe(true);
    // Operator tokens have no user: only their id can be denied.
    expect(isRevoked({ kind: 'operator', epoch: 0 }, { userEpoch: 9, tokenDenied: false })).toBe(false);
    expect(isRevoked({ kind: 'operator', epoch: 0 }, { userEpoch: 0, tokenDenied: true })).toBe(true);
  });

  it('keys are namespaced by deployment and run', () => {
    const keys = revocationKeys({ REDIS_KEY_PREFIX: 'agentops:', KAFKA_TOPIC_PREFIX: 't1.' });
    expect(keys.userEpoch('rita')).toBe('agentops:t1.auth:user-epoch:rita');
    expect(keys.token('j1')).toBe('agentops:t1.auth:revoked-token:j1');
    expect(keys.channel).toBe('agentops:t1.auth:revocations');
  });

  describe('the per-instance cache', () => {
    let clock = 0;
    const cache = () => new RevocationCache(2000, 3, () => clock);
    beforeEach(() => (clock = 1_000_000));

    it('answers from memory until its lifetime ends', () => {
      const c = cache();
      c.put('a', false, c.generation);
      clock += 1999;
      expect(c.get('a')).toBe(false);
      clock += 1;
      expect(c.get('a')).toBeUndefined();
    });

    it('a revocation message clears it at once', () => {
      const c = cache();
      c.put('a', false, c.generation);
      c.invalidate();
      expect(c.get('a')).toBeUndefined();
    });

    it('does not store an answer read before a revocation message arrived (the race)', () => {
      const c = cache();
      const startedIn = c.generation; // the Redis read starts…
      c.invalidate(); // …the revocation message lands while it is in flight…
      c.put('a', false, startedIn); // …and its (possibly stale) answer comes back
      expect(c.get('a')).toBeUndefined();
      c.put('a', true, c.generation);
      expect(c.get('a')).toBe(true);
    });

    it('stays within its size bound, evicting the oldest', () => {
      const c = cache();
      for (const id of ['a', 'b', 'c', 'd']) c.put(id, false, c.generation);
      expect(c.size).toBe(3);
      expect(c.get('a')).toBeUndefined();
      expect(c.get('d')).toBe(false);
    });

    it('caches nothing with a lifetime of 0', () => {
      const c = new RevocationCache(0);
      c.put('a', false, c.generation);
      expect(c.get('a')).toBeUndefined();
    });
  });
});
