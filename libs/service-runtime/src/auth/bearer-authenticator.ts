import type { Redis } from '@agentops/persistence';
import {
  Inject,
  Injectable,
  OnModuleDestroy,
  OnModuleInit,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { JWTVerifyGetKey, decodeProtectedHeader } from 'jose';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { CommonEnv } from '../config';
import { ServiceMetrics } from '../metrics';
import { LOGGER, REDIS, SERVICE_CONFIG, SERVICE_NAME } from '../tokens';
import { Principal } from './principal';
import { RevocationCache, RevocationKeys, isRevoked, revocationKeys } from './revocation';
import { SERVICE_TOKEN_TYPE, ServiceTokenVerifier } from './service-token';
import { RemoteJwks, httpJwksFetcher, pinnedJwks } from './token-keys';
import { VerifiedUserToken, verifyUserToken } from './user-token';

export interface Authenticated {
  principal: Principal;
  /** User and operator tokens: the token id (jti). */
  tokenId?: string;
  /** User and operator tokens: when it expires (a revocation lasts until then). */
  expiresAt?: Date;
  /** Break-glass operator tokens: why it was taken. */
  reason?: string;
}

/**
 * Turns a bearer token into a principal: a user or break-glass token signed by the console (with
 * its revocation checked in Redis through a short cache), or another service's assertion. One
 * instance per service; the guard asks it for every request.
 */
@Injectable()
export class BearerAuthenticator implements OnModuleInit, OnModuleDestroy {
  private readonly userKeys: JWTVerifyGetKey;
  private readonly services: ServiceTokenVerifier;
  private readonly keys: RevocationKeys;
  private readonly cache: RevocationCache;
  private subscriber?: Redis;
  private readonly rejected: Counter<'reason'>;
  private readonly revocationMessages: Counter;

  constructor(
    @Inject(SERVICE_CONFIG) config: CommonEnv,
    @Inject(SERVICE_NAME) service: string,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: ServiceMetrics,
  ) {
    this.userKeys = config.AUTH_JWKS
      ? pinnedJwks(config.AUTH_JWKS as never)
      : new RemoteJwks({
          fetchJwks: httpJwksFetcher(config.AUTH_JWKS_URL),
          refreshMs: config.AUTH_JWKS_REFRESH_SECONDS * 1000,
          cooldownMs: config.AUTH_JWKS_COOLDOWN_SECONDS * 1000,
          onFetchError: (err) =>
            logger.warn({ err, url: config.AUTH_JWKS_URL }, 'could not fetch the console’s JWKS'),
        }).getKey;
    this.services = new ServiceTokenVerifier(service, config.SERVICE_PRINCIPALS_JWKS);
    this.keys = revocationKeys(config);
    this.cache = new RevocationCache(config.AUTH_REVOCATION_CACHE_MS);
    this.rejected = new Counter({
      name: 'agentops_auth_rejected_total',
      help: 'Bearer tokens refused, by reason (invalid: bad signature, issuer, audience, type or expiry)',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    this.revocationMessages = new Counter({
      name: 'agentops_auth_revocation_messages_total',
      help: 'Token revocations announced on Redis and applied to this instance’s cache',
      registers: [metrics.registry],
    });
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.duplicate({
      connectionName: `${this.redis.options.connectionName ?? 'agentops'}-revocations-sub`,
    });
    this.subscriber = subscriber;
    subscriber.on('message', () => {
      // The message only says "something was revoked": the truth is read from Redis keys, so a
      // forged or lost message can cost a cache miss at most, never revive a token.
      this.cache.invalidate();
      this.revocationMessages.inc();
    });
    await subscriber.subscribe(this.keys.channel);
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }

  async authenticate(token: string): Promise<Authenticated> {
    let typ: unknown;
    try {
      typ = decodeProtectedHeader(token).typ;
    } catch {
      throw this.refuse('invalid', 'invalid or expired token');
    }
    if (typ === SERVICE_TOKEN_TYPE) {
      try {
        return { principal: await this.services.verify(token) };
      } catch {
        throw this.refuse('invalid', 'invalid or expired service token');
      }
    }
    let verified: VerifiedUserToken;
    try {
      verified = await verifyUserToken(token, this.userKeys);
    } catch {
      throw this.refuse('invalid', 'invalid or expired token');
    }
    if (await this.revoked(verified)) throw this.refuse('revoked', 'token revoked: sign in again');
    return {
      principal: verified.principal,
      tokenId: verified.tokenId,
      expiresAt: verified.expiresAt,
      reason: verified.reason,
    };
  }

  private async revoked(token: VerifiedUserToken): Promise<boolean> {
    const cached = this.cache.get(token.tokenId);
    if (cached !== undefined) return cached;
    const generation = this.cache.generation;
    let epoch: string | null;
    let denied: string | null;
    try {
      [epoch, denied] = await this.redis.mget(
        this.keys.userEpoch(token.principal.id),
        this.keys.token(token.tokenId),
      );
    } catch (err) {
      // Fail closed: an unverifiable revocation state must not let a disabled user in.
      this.logger.error({ err }, 'cannot check token revocation in Redis');
      throw new ServiceUnavailableException('cannot check token revocation; try again');
    }
    const revoked = isRevoked(
      { kind: token.principal.kind === 'operator' ? 'operator' : 'human', epoch: token.epoch },
      { userEpoch: Number(epoch ?? 0), tokenDenied: denied !== null },
    );
    this.cache.put(token.tokenId, revoked, generation);
    return revoked;
  }

  private refuse(reason: 'invalid' | 'revoked', message: string): UnauthorizedException {
    this.rejected.inc({ reason });
    return new UnauthorizedException(message);
  }
}
