import type { Redis } from '@agentops/persistence';
import {
  CommonEnv,
  LOGGER,
  PeriodicRefresh,
  REDIS,
  ReadinessRegistry,
  RevocationKeys,
  SERVICE_CONFIG,
  publishTokenRevocation,
  publishUserEpoch,
  restoreUserEpochs,
  revocationKeys,
} from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { UserRepository } from './user-repository';

/** How often the users' epochs are re-written to Redis (heals a Redis that lost them). */
const RESYNC_MS = 60_000;

/**
 * The console's side of revocation: a user's raised token epoch, or one token's id, is written
 * to Redis and announced to every verifier (libs/service-runtime `BearerAuthenticator`). PostgreSQL
 * holds the epochs; they are re-written at start and every minute, so a Redis restart revives no
 * revoked token for longer than that.
 */
@Injectable()
export class TokenRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly keys: RevocationKeys;
  private resync?: PeriodicRefresh;

  constructor(
    private readonly users: UserRepository,
    private readonly readiness: ReadinessRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SERVICE_CONFIG) config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = revocationKeys(config);
  }

  async onModuleInit(): Promise<void> {
    this.resync = new PeriodicRefresh(
      'user-token-epochs',
      async () => restoreUserEpochs(this.redis, this.keys, await this.users.tokenEpochs()),
      RESYNC_MS,
      this.logger,
    );
    await this.resync.start(this.readiness);
  }

  onModuleDestroy(): void {
    this.resync?.stop();
  }

  /** Every token the user holds now stops working at every service. */
  revokeUser(userId: string, epoch: number): Promise<void> {
    return publishUserEpoch(this.redis, this.keys, userId, epoch);
  }

  /** One token (a sign-out) stops working at every service. */
  revokeToken(tokenId: string, expiresAt: Date): Promise<void> {
    return publishTokenRevocation(this.redis, this.keys, tokenId, expiresAt);
  }
}
