import { LOGGER, SERVICE_CONFIG, SingleFlightTimer } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { RolloutConfig } from '../config';
import { RolloutPropagation } from '../rollouts/rollout-propagation';
import { RolloutAnalysisLoop } from './rollout-analysis-loop';

/**
 * The loop's timer: a step whose dwell ends without new events still advances, unsent transitions
 * and missing halts are caught up, stale pending facts are dropped. At start it republishes every
 * live rollout's state (same content, newest generation) so followers rebuild from the topic.
 */
@Injectable()
export class RolloutTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly timer: SingleFlightTimer;

  constructor(
    private readonly loop: RolloutAnalysisLoop,
    private readonly propagation: RolloutPropagation,
    @Inject(SERVICE_CONFIG) private readonly config: RolloutConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.timer = new SingleFlightTimer('rollout tick', () => this.tick(), config.ROLLOUT_TICK_MS, logger);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.propagation.catchUp(true);
    this.timer.start();
  }

  onModuleDestroy(): void {
    this.timer.stop();
  }

  private async tick(): Promise<void> {
    await this.loop.tick();
    await this.propagation.catchUp(false);
    await this.loop.dropStalePendingFacts(this.config.ROLLOUT_PENDING_FACT_TTL_MS);
  }
}
