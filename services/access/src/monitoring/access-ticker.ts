import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { AccessConfig } from '../config';
import { AccessObservation } from './access-observation';

/** Anomalies older than this without a publication are the tick's (a failed or interrupted containment). */
const CATCH_UP_GRACE_MS = 2000;

/**
 * The monitor's timer: buckets that ended are judged (an agent gone quiet included), cohort
 * baselines are saved, and anomalies whose quarantine or publication failed are retried.
 */
@Injectable()
export class AccessTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly observation: AccessObservation,
    @Inject(SERVICE_CONFIG) private readonly config: AccessConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.timer = setInterval(() => void this.tick(), this.config.ACCESS_TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.observation.tick(CATCH_UP_GRACE_MS);
    } catch (err) {
      this.logger.warn({ err }, 'access tick failed; retried on the next');
    } finally {
      this.running = false;
    }
  }
}
