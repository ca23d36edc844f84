import type { Redis } from '@agentops/persistence';
import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ConsoleConfig } from '../config';

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Brute-force protection for sign-in, counted in Redis (rate-limiter-flexible, atomic Lua) so every
 * console instance shares it, with two budgets:
 * - per username: LOGIN_MAX_FAILURES failures lock the account for LOGIN_LOCKOUT_SECONDS,
 *   whatever address the guesses come from;
 * - per client address: LOGIN_MAX_FAILURES_PER_IP failures within LOGIN_IP_WINDOW_SECONDS, across
 *   usernames (password spraying).
 * Every attempt spends a point **before** its password is checked, and a success gives it back:
 * counting after the (slow) check would let parallel guesses all through.
 */
@Injectable()
export class LoginThrottle {
  private readonly byUser: RateLimiterRedis;
  private readonly byAddress: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, @Inject(SERVICE_CONFIG) config: ConsoleConfig) {
    const prefix = `${config.REDIS_KEY_PREFIX}${config.KAFKA_TOPIC_PREFIX}console:login`;
    this.byUser = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:user`,
      points: config.LOGIN_MAX_FAILURES,
      duration: config.LOGIN_LOCKOUT_SECONDS,
      blockDuration: config.LOGIN_LOCKOUT_SECONDS,
    });
    this.byAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ip`,
      points: config.LOGIN_MAX_FAILURES_PER_IP,
      duration: config.LOGIN_IP_WINDOW_SECONDS,
      blockDuration: config.LOGIN_IP_WINDOW_SECONDS,
    });
  }

  /** Spends one attempt of the user's and of the address's budget; refused when either is gone. */
  async admit(username: string, address: string): Promise<Admission> {
    const [user, ip] = await Promise.allSettled([
      this.byUser.consume(userKey(username)),
      this.byAddress.consume(address),
    ]);
    const refusals = [user, ip].filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    // A Redis failure is an error (500), never an open door.
    const failure = refusals.find((r) => !(r instanceof RateLimiterRes));
    if (failure) throw failure;
    if (refusals.length === 0) return { admitted: true };
    const waitMs = Math.max(...(refusals as RateLimiterRes[]).map((r) => r.msBeforeNext));
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** A correct password: the user's failures are forgotten and the address gets its point back. */
  async succeeded(username: string, address: string): Promise<void> {
    await Promise.all([this.byUser.delete(userKey(username)), this.byAddress.reward(address, 1)]);
  }
}

const userKey = (username: string) => username.toLowerCase();
