import { LOGGER, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { EscalationConfig } from '../config';

/**
 * Slack-compatible webhook notifications (`{"text": ...}`), per route. Fire and forget: retried
 * with exponential backoff in the background, never awaited by a decision.
 */
@Injectable()
export class Notifier {
  constructor(
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
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text }),
          signal: AbortSignal.timeout(5000),
        });
        if (res.ok) return;
        if (res.status < 500 && res.status !== 429)
          throw new PermanentNotifyError(`webhook answered ${res.status}`);
        throw new Error(`webhook answered ${res.status}`);
      } catch (error) {
        if (error instanceof PermanentNotifyError || attempt === attempts) {
          this.logger.warn({ err: error, attempt }, 'notification webhook failed; giving up');
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
    }
  }
}

class PermanentNotifyError extends Error {}
