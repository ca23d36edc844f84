import { EgressRefused } from '@agentops/egress';
import { BackoffSchedule, withRetries } from '@agentops/retry';
import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { WebhookSender, originOf } from '../egress/webhook-sender';

/** 200 ms, 400 ms, 800 ms … (full jitter), never more than 10 s between two tries. */
const NOTIFY_BACKOFF: BackoffSchedule = { initialDelayMs: 200, maxDelayMs: 10_000 };

/**
 * Slack-compatible webhook notifications (`{"text": ...}`), per route. Fire and forget: retried
 * with exponential backoff and jitter in the background, never awaited by a decision. Sent through
 * the egress policy like callbacks: a refused URL or a redirect is not retried.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly sender: WebhookSender,
    @Inject(SERVICE_CONFIG) private readonly config: EscalationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  notify(url: string | undefined, text: string): void {
    if (!url) return;
    void this.deliver(url, text);
  }

  private async deliver(url: string, text: string): Promise<void> {
    let attempt = 0;
    try {
      await withRetries(
        async (n) => {
          attempt = n;
          const status = await this.sender.postJson('notification', url, JSON.stringify({ text }));
          if (status >= 200 && status < 300) return;
          if (status < 500 && status !== 429) throw new PermanentNotifyError(`webhook answered ${status}`);
          throw new Error(`webhook answered ${status}`);
        },
        {
          maxAttempts: this.config.ESCALATION_NOTIFY_ATTEMPTS,
          schedule: NOTIFY_BACKOFF,
          retryOn: (error) => !(error instanceof PermanentNotifyError || error instanceof EgressRefused),
        },
      );
    } catch (error) {
      this.logger.warn(
        { reason: (error as Error).message, attempt, destination: originOf(url) },
        'notification webhook failed; giving up',
      );
    }
  }
}

class PermanentNotifyError extends Error {}
