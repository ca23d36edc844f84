import type { Redis } from '@agentops/persistence';

/**
 * Revocation of user tokens before they expire, shared through Redis:
 * - every user has a token epoch (console.users.token_epoch); disabling the user or changing
 *   roles, groups or password raises it, and tokens signed with a lower epoch stop working;
 * - a single token (logout, a break-glass token handed back) is denied by its id until it expires.
 * The console writes the key, then publishes on a channel; every verifier drops its short cache on
 * that message, so the next call is checked against Redis. The cache lifetime bounds the delay if
 * the message is lost (pub/sub is at-most-once).
 */
export interface RevocationKeys {
  userEpoch(userId: string): string;
  token(tokenId: string): string;
  channel: string;
}

export function revocationKeys(config: {
  REDIS_KEY_PREFIX: string;
  KAFKA_TOPIC_PREFIX: string;
}): RevocationKeys {
  const base = `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}auth:`;
  return {
    userEpoch: (userId) => `${base}user-epoch:${userId}`,
    token: (tokenId) => `${base}revoked-token:${tokenId}`,
    channel: `${base}revocations`,
  };
}

/** Whether a token is revoked, given what Redis holds for its user and its id. */
export function isRevoked(
  token: { kind: 'human' | 'operator'; epoch: number },
  state: { userEpoch: number; tokenDenied: boolean },
): boolean {
  return state.tokenDenied || (token.kind === 'human' && state.userEpoch > token.epoch);
}

/**
 * Per-instance cache of revocation answers by token id. A revocation message clears it and starts
 * a new generation; a lookup that began before the message (its Redis read may predate the
 * revocation) is not stored, so a stale "not revoked" cannot outlive the message.
 */
export class RevocationCache {
  private readonly entries = new Map<string, { revoked: boolean; at: number }>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(tokenId: string): boolean | undefined {
    const hit = this.entries.get(tokenId);
    if (!hit) return undefined;
    if (this.now() - hit.at >= this.ttlMs) {
      this.entries.delete(tokenId);
      return undefined;
    }
    return hit.revoked;
  }

  /** The generation a lookup starts in. */
  get generation(): number {
    return this.gen;
  }

  put(tokenId: string, revoked: boolean, startedIn: number): void {
    if (startedIn !== this.gen || this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Oldest first (Map keeps insertion order): one eviction per insert keeps the bound.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(tokenId);
    this.entries.set(tokenId, { revoked, at: this.now() });
  }

  invalidate(): void {
    this.gen += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

// Epochs only grow: a late or repeated write (the console's periodic resync racing a change)
// must never lower one and so revive tokens.
const RAISE_EPOCH = `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;

/** Console side: the user's new epoch is stored, then announced. */
export async function publishUserEpoch(
  redis: Redis,
  keys: RevocationKeys,
  userId: string,
  epoch: number,
): Promise<void> {
  await redis.eval(RAISE_EPOCH, 1, keys.userEpoch(userId), String(epoch));
  await redis.publish(keys.channel, JSON.stringify({ userId }));
}

/** Re-stores many epochs (no announcement): heals a Redis that lost them. */
export async function restoreUserEpochs(
  redis: Redis,
  keys: RevocationKeys,
  epochs: { userId: string; epoch: number }[],
): Promise<void> {
  if (epochs.length === 0) return;
  const pipeline = redis.pipeline();
  for (const e of epochs) pipeline.eval(RAISE_EPOCH, 1, keys.userEpoch(e.userId), String(e.epoch));
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}

/** Console side: one token denied until it would have expired anyway. */
export async function publishTokenRevocation(
  redis: Redis,
  keys: RevocationKeys,
  tokenId: string,
  expiresAt: Date,
): Promise<void> {
  const seconds = Math.ceil((expiresAt.getTime() - Date.now()) / 1000) + 60;
  if (seconds <= 60) return;
  await redis.set(keys.token(tokenId), '1', 'EX', seconds);
  await redis.publish(keys.channel, JSON.stringify({ tokenId }));
}
