import { EventEnvelope } from '@agentops/contracts';
import { EventPublisher } from '@agentops/messaging';
import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationConfig } from '../config';

export interface OutboxItem {
  event: EventEnvelope;
  key: string;
}

/**
 * Transactional outbox: task changes and the events they cause are written in one transaction;
 * the event id is fixed here, so a republished event is the very same event (audit dedups on id).
 */
export async function addToOutbox(m: EntityManager, items: OutboxItem[]): Promise<void> {
  for (const { event, key } of items) {
    await m.query(
      `INSERT INTO outbox (id, event_type, msg_key, envelope) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [event.id, event.type, key, JSON.stringify(event)],
    );
  }
}

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
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
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
      const sent = await this.dataSource.transaction(async (m) => {
        const rows: { id: string; msg_key: string; envelope: EventEnvelope }[] = await m.query(
          `SELECT id, msg_key, envelope FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT 100 FOR UPDATE SKIP LOCKED`,
        );
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        await this.faults.beforePublish?.(ids);
        await this.publisher.publishMany(rows.map((r) => ({ event: r.envelope, key: r.msg_key })));
        await this.faults.afterPublish?.(ids);
        await m.query(`UPDATE outbox SET sent_at = now() WHERE id = ANY($1::uuid[])`, [
          rows.map((r) => r.id),
        ]);
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
