import type { Redis } from 'ioredis';

/**
 * Remembers which event ids a consumer group has fully handled, so an at-least-once redelivery
 * (rebalance, crash before commit) does not run side effects twice. Handlers that write to a
 * database keep their own unique constraints as well; this guards everything else.
 */
export interface IdempotencyStore {
  alreadyHandled(scope: string, eventId: string): Promise<boolean>;
  markHandled(scope: string, eventId: string): Promise<void>;
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly seen = new Map<string, true>();
  constructor(private readonly capacity = 100_000) {}

  async alreadyHandled(scope: string, eventId: string): Promise<boolean> {
    return this.seen.has(`${scope}:${eventId}`);
  }

  async markHandled(scope: string, eventId: string): Promise<void> {
    this.seen.set(`${scope}:${eventId}`, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {}

  async alreadyHandled(scope: string, eventId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(scope, eventId))) === 1;
  }

  async markHandled(scope: string, eventId: string): Promise<void> {
    await this.redis.set(this.key(scope, eventId), '1', 'EX', this.ttlSeconds);
  }

  // Hash tag keeps one scope's keys in one Redis Cluster slot.
  private key(scope: string, eventId: string): string {
    return `${this.keyPrefix}idem:{${scope}}:${eventId}`;
  }
}
