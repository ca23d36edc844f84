import type { Logger } from 'pino';
import { ReadinessRegistry } from './readiness';

/**
 * State an instance serves from memory and reloads on a timer (catalog, retail facts, the active
 * policy set): loaded once before the instance is ready, then refreshed in the background, where
 * a failed refresh keeps the last good state and is only logged.
 */
export class PeriodicRefresh {
  private loaded = false;
  private timer?: NodeJS.Timeout;

  constructor(
    /** Readiness check name, e.g. `catalog`; also used in messages. */
    private readonly name: string,
    private readonly refresh: () => Promise<void>,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** Registers the readiness check, loads once (failing start-up if that fails), starts the timer. */
  async start(readiness: ReadinessRegistry): Promise<void> {
    readiness.add({
      name: this.name,
      check: () => {
        if (!this.loaded) throw new Error(`${this.name} not loaded`);
      },
    });
    await this.refresh();
    this.loaded = true;
    this.timer = setInterval(
      () => void this.refresh().catch((err) => this.logger.warn({ err }, `${this.name} refresh failed`)),
      this.everyMs,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
