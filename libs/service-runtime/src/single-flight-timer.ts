import type { Logger } from 'pino';

/**
 * Background work on a fixed interval that never overlaps itself: a tick that is still running
 * when the next is due makes that one a no-op, and a failed tick is only logged (the next retries).
 */
export class SingleFlightTimer {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    /** Used in the failure message, e.g. `rollout tick`. */
    private readonly name: string,
    private readonly work: () => Promise<void>,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.work();
    } catch (err) {
      this.logger.warn({ err }, `${this.name} failed; retried on the next`);
    } finally {
      this.running = false;
    }
  }
}
