import { REDIS, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { IngestConfig } from '../config';

/** What an Idempotency-Key maps to: the intent it was first used for and a digest of its body. */
export interface IdempotencyClaim {
  intentId: string;
  /** SHA-256 of the proposal's canonical JSON (RFC 8785); absent in claims stored before it was kept. */
  request?: string;
}

/** How long an Idempotency-Key keeps its intent. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** Port: the claims of Idempotency-Keys, per agent, kept for {@link IDEMPOTENCY_TTL_SECONDS}. */
export abstract class IdempotencyStore {
  /**
   * Stores `claim` under the agent's key unless a live claim is there already: returns `null` when
   * this claim was stored, else the claim that holds the key (the caller decides what a retry is).
   */
  abstract claim(agentId: string, key: string, claim: IdempotencyClaim): Promise<IdempotencyClaim | null>;
}

/** The claims in Redis, one key per agent and Idempotency-Key (SET NX with a TTL). */
@Injectable()
export class RedisIdempotencyStore extends IdempotencyStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) private readonly config: IngestConfig,
  ) {
    super();
  }

  async claim(agentId: string, key: string, claim: IdempotencyClaim): Promise<IdempotencyClaim | null> {
    const redisKey = `${this.config.REDIS_KEY_PREFIX}${this.config.KAFKA_TOPIC_PREFIX}ingest:idem:${agentId}:${key}`;
    for (;;) {
      const set = await this.redis.set(redisKey, JSON.stringify(claim), 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
      if (set === 'OK') return null;
      const stored = parseClaim(await this.redis.get(redisKey));
      if (stored) return stored;
      // Expired between the SET and the GET: claim afresh.
    }
  }
}

function parseClaim(value: string | null): IdempotencyClaim | undefined {
  if (value === null) return undefined;
  if (!value.startsWith('{')) return { intentId: value }; // a bare intent id, stored before digests
  return JSON.parse(value) as IdempotencyClaim;
}
