import { EgressRefused } from '@agentops/egress';
import { Clock, LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { WebhookSender, originOf } from '../egress/webhook-sender';
import { CallbackRepository, DueCallback } from './callback-repository';
import { SIGNATURE_HEADER, callbackBackoffMs, signCallback } from './callback-signature';

/** Callbacks one tick claims and sends, one after the other. */
const BATCH = 20;
/**
 * How long a claim keeps other instances off its callbacks: longer than a whole batch at the
 * sender's 5 s timeout, so only a sender that died mid-batch has its callbacks claimed again.
 */
export const CALLBACK_CLAIM_LEASE_MS = 120_000;

/**
 * Optional hand-back by webhook: an agent labelled `callbackUrl` gets its final decision POSTed,
 * signed with HMAC-SHA256. Queued in the resolving transaction (so it is never lost), delivered
 * by a poller and retried with backoff up to a bounded number of attempts. A tick claims its
 * callbacks (FOR UPDATE SKIP LOCKED, then a lease on `due_at`, committed) before calling out, so
 * no row lock or database connection is held across the HTTP call.
 * The URL is re-checked at every send (ingest checked it when the label was set; DNS may have
 * changed since): a refused URL or a redirect gives up at once, with the reason recorded.
 */
@Injectable()
export class CallbackDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly callbacks: CallbackRepository,
    private readonly sender: WebhookSender,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
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

  /** Sends the callbacks due now; returns how many it tried. */
  async tick(): Promise<number> {
    const secret = this.config.ESCALATION_CALLBACK_SECRET;
    if (!secret) return 0;
    const now = this.clock.now();
    const due = await this.callbacks.claimDue(
      now,
      this.config.ESCALATION_CALLBACK_ATTEMPTS,
      BATCH,
      new Date(now.getTime() + CALLBACK_CLAIM_LEASE_MS),
    );
    for (const c of due) await this.deliver(secret, c);
    return due.length;
  }

  private async deliver(secret: string, c: DueCallback): Promise<void> {
    const body = JSON.stringify(c.body);
    let failure: unknown;
    try {
      const status = await this.sender.postJson('callback', c.url, body, {
        [SIGNATURE_HEADER]: signCallback(secret, body, Math.floor(this.clock.now().getTime() / 1000)),
        'x-agentops-event-id': c.id,
      });
      if (status < 200 || status >= 300) throw new Error(`callback answered ${status}`);
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) return this.callbacks.markDelivered(c.id, this.clock.now());
    const refused = failure instanceof EgressRefused;
    const attempts = refused ? this.config.ESCALATION_CALLBACK_ATTEMPTS : c.attempts + 1;
    const reason = `${refused ? 'refused: ' : ''}${(failure as Error).message}`.slice(0, 500);
    await this.callbacks.markFailed(
      c.id,
      attempts,
      new Date(this.clock.now().getTime() + callbackBackoffMs(attempts)),
      reason,
    );
    if (attempts >= this.config.ESCALATION_CALLBACK_ATTEMPTS)
      this.logger.warn(
        { callbackId: c.id, destination: originOf(c.url), reason },
        'callback undeliverable; giving up',
      );
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
