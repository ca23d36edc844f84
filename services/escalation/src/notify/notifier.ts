import { EgressRefused } from '@agentops/egress';
import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EscalationConfig } from '../config';
import { WebhookSender, originOf } from '../egress/webhook-sender';

/**
 * Slack-compatible webhook notifications (`{"text": ...}`), per route. Fire and forget: retried
 * with exponential backoff in the background, never awaited by a decision. Sent through the egress
 * policy like callbacks: a refused URL or a redirect is not retried.
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
    const attempts = this.config.ESCALATION_NOTIFY_ATTEMPTS;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const status = await this.sender.postJson('notification', url, JSON.stringify({ text }));
        if (status >= 200 && status < 300) return;
        if (status < 500 && status !== 429) throw new PermanentNotifyError(`webhook answered ${status}`);
        throw new Error(`webhook answered ${status}`);
      } catch (error) {
        const permanent = error instanceof PermanentNotifyError || error instanceof EgressRefused;
        if (permanent || attempt === attempts) {
          this.logger.warn(
            { reason: (error as Error).message, attempt, destination: originOf(url) },
            'notification webhook failed; giving up',
          );
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
    }
  }
}

class PermanentNotifyError extends Error {}
