import { EventPublisher } from '@agentops/messaging';
import { Clock, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { OutboxRepository } from './outbox-repository';

/**
 * Transactional outbox: task changes and the events they cause are written in one transaction
 * (TaskTransaction.addToOutbox), with the event id fixed, so a republished event is the very same
 * event (audit dedups on id).
 */

/**
 * Test seams to simulate a crash: before publishing (the commit happened, nothing went out) or
 * after publishing and before marking sent (the events went out and will go out again, same ids).
 */
export interface RelayFaults {
  beforePublish?(ids: string[]): void | Promise<void>;
  afterPublish?(ids: string[]): void | Promise<void>;
}

/**
 * Publishes unsent outbox rows in creation order and marks them sent. Rows are locked with
 * FOR UPDATE SKIP LOCKED, so several instances share the work without publishing a row twice;
 * a crash before the mark leaves the row unsent and it is published again with the same id.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  faults: RelayFaults = {};

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: EventPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes what is pending now; returns how many events went out. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.outbox.transaction(async (tx) => {
        const rows = await tx.lockUnsent(100);
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        await this.faults.beforePublish?.(ids);
        await this.publisher.publishMany(rows.map((r) => ({ event: r.envelope, key: r.key })));
        await this.faults.afterPublish?.(ids);
        await tx.markSent(ids, this.clock.now());
        return rows.length;
      });
      total += sent;
      if (sent < 100) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.flush()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ err: error }, 'outbox relay: publish failed; will retry'))
        .finally(() => this.schedule(this.config.ESCALATION_OUTBOX_POLL_MS));
    }, delayMs);
  }
}
