import { IntentDecidedV1 } from '@agentops/contracts';
import { EgressRefused } from '@agentops/egress';
import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { EscalationConfig } from '../config';
import { WebhookSender, originOf } from '../egress/webhook-sender';
import { SIGNATURE_HEADER, callbackBackoffMs, signCallback } from './callback-signature';

/**
 * Optional hand-back by webhook: an agent labelled `callbackUrl` gets its final decision POSTed,
 * signed with HMAC-SHA256. Queued in the resolving transaction (so it is never lost), delivered
 * by a poller with FOR UPDATE SKIP LOCKED and retried with backoff up to a bounded number of attempts.
 * The URL is re-checked at every send (ingest checked it when the label was set; DNS may have
 * changed since): a refused URL or a redirect gives up at once, with the reason recorded.
 */
export async function queueCallback(
  m: EntityManager,
  url: string,
  eventId: string,
  decision: IntentDecidedV1,
): Promise<void> {
  await m.query(`INSERT INTO callbacks (id, url, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`, [
    eventId,
    url,
    JSON.stringify({ eventId, intentId: decision.intentId, decision }),
  ]);
}

@Injectable()
export class CallbackDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: WebhookSender,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.ESCALATION_CALLBACK_SECRET) return;
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async tick(): Promise<number> {
    const secret = this.config.ESCALATION_CALLBACK_SECRET;
    if (!secret) return 0;
    return this.dataSource.transaction(async (m) => {
      const due: { id: string; url: string; body: unknown; attempts: number }[] = await m.query(
        `SELECT id, url, body, attempts FROM callbacks WHERE delivered_at IS NULL AND attempts < $1 AND due_at <= now()
         ORDER BY due_at LIMIT 20 FOR UPDATE SKIP LOCKED`,
        [this.config.ESCALATION_CALLBACK_ATTEMPTS],
      );
      for (const c of due) {
        const body = JSON.stringify(c.body);
        try {
          const status = await this.sender.postJson('callback', c.url, body, {
            [SIGNATURE_HEADER]: signCallback(secret, body, Math.floor(Date.now() / 1000)),
            'x-agentops-event-id': c.id,
          });
          if (status < 200 || status >= 300) throw new Error(`callback answered ${status}`);
          await m.query(
            `UPDATE callbacks SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`,
            [c.id],
          );
        } catch (error) {
          const refused = error instanceof EgressRefused;
          const attempts = refused ? this.config.ESCALATION_CALLBACK_ATTEMPTS : c.attempts + 1;
          const reason = `${refused ? 'refused: ' : ''}${(error as Error).message}`.slice(0, 500);
          await m.query(
            `UPDATE callbacks SET attempts = $2, due_at = now() + ($3 || ' milliseconds')::interval, last_error = $4 WHERE id = $1`,
            [c.id, attempts, String(callbackBackoffMs(attempts)), reason],
          );
          if (attempts >= this.config.ESCALATION_CALLBACK_ATTEMPTS)
            this.logger.warn(
              { callbackId: c.id, destination: originOf(c.url), reason },
              'callback undeliverable; giving up',
            );
        }
      }
      return due.length;
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn({ err: error }, 'callback dispatch failed; will retry'))
        .finally(() => this.schedule());
    }, this.config.ESCALATION_OUTBOX_POLL_MS);
  }
}
