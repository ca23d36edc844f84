import type { Redis } from '@agentops/persistence';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { ConsoleConfig } from '../config';

/**
 * Locks an account after LOGIN_MAX_FAILURES failed logins for LOGIN_LOCKOUT_SECONDS (counted in
 * Redis so every console instance shares it). Keyed by username, so guessing is slowed per account
 * whatever address it comes from.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  private key(username: string): string {
    return `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}console:login-failures:${username.toLowerCase()}`;
  }

  /** Seconds until the account unlocks, or 0 when it may try. */
  async lockedFor(username: string): Promise<number> {
    const [failures, ttl] = await Promise.all([
      this.redis.get(this.key(username)),
      this.redis.ttl(this.key(username)),
    ]);
    return Number(failures ?? 0) >= this.config.LOGIN_MAX_FAILURES ? Math.max(ttl, 1) : 0;
  }

  async recordFailure(username: string): Promise<void> {
    const key = this.key(username);
    const failures = await this.redis.incr(key);
    if (failures === 1 || failures === this.config.LOGIN_MAX_FAILURES)
      await this.redis.expire(key, this.config.LOGIN_LOCKOUT_SECONDS);
  }

  async reset(username: string): Promise<void> {
    await this.redis.del(this.key(username));
  }
}
