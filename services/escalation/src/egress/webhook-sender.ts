import { EgressPolicy, EgressRefused, postGuarded } from '@agentops/egress';
import { SERVICE_CONFIG, ServiceMetrics } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { EscalationConfig, egressPolicy } from '../config';

export type OutboundPurpose = 'callback' | 'notification';

/**
 * The one way escalation calls out to a URL someone wrote (agents' `callbackUrl` labels, routes'
 * `notifyUrl`): https to public addresses only (loopback too in development mode), checked after
 * DNS and connected to the address checked, redirects refused. Answers the HTTP status; throws
 * EgressRefused (permanent: do not retry) for a refused URL or a redirect.
 */
@Injectable()
export class WebhookSender {
  private readonly policy: EgressPolicy;
  private readonly calls: Counter<'purpose' | 'outcome'>;

  constructor(@Inject(SERVICE_CONFIG) config: EscalationConfig, metrics: ServiceMetrics) {
    this.policy = egressPolicy(config);
    this.calls = new Counter({
      name: 'agentops_escalation_outbound_calls_total',
      help: 'Callbacks and webhook notifications by outcome (delivered, failed, refused by the egress policy)',
      labelNames: ['purpose', 'outcome'],
      registers: [metrics.registry],
    });
  }

  async postJson(
    purpose: OutboundPurpose,
    url: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<number> {
    try {
      const status = await postGuarded(
        url,
        body,
        { 'content-type': 'application/json', ...headers },
        { policy: this.policy, timeoutMs: 5000 },
      );
      this.calls.inc({ purpose, outcome: status >= 200 && status < 300 ? 'delivered' : 'failed' });
      return status;
    } catch (error) {
      this.calls.inc({ purpose, outcome: error instanceof EgressRefused ? 'refused' : 'failed' });
      throw error;
    }
  }
}

/** Where a URL points, for logs: the origin only (webhook paths and queries often hold secrets). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
