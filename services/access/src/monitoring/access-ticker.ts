import { LOGGER, SERVICE_CONFIG, SingleFlightTimer } from '@agentops/service-runtime';
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
  private readonly timer: SingleFlightTimer;

  constructor(
    observation: AccessObservation,
    @Inject(SERVICE_CONFIG) config: AccessConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.timer = new SingleFlightTimer(
      'access tick',
      () => observation.tick(CATCH_UP_GRACE_MS),
      config.ACCESS_TICK_MS,
      logger,
    );
  }

  onApplicationBootstrap(): void {
    this.timer.start();
  }

  onModuleDestroy(): void {
    this.timer.stop();
  }
}
