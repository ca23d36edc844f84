import { EgressPolicy, postGuarded } from '@agentops/egress';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { EscalationConfig, egressPolicy } from '../config';

/**
 * The one way escalation calls out to a URL someone wrote (agents' `callbackUrl` labels, routes'
 * `notifyUrl`): https to public addresses only (loopback too in development mode), checked after
 * DNS and connected to the address checked, redirects refused. Answers the HTTP status; throws
 * EgressRefused (permanent: do not retry) for a refused URL or a redirect.
 */
@Injectable()
export class WebhookSender {
  private readonly policy: EgressPolicy;

  constructor(@Inject(SERVICE_CONFIG) config: EscalationConfig) {
    this.policy = egressPolicy(config);
  }

  postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
    return postGuarded(
      url,
      body,
      { 'content-type': 'application/json', ...headers },
      { policy: this.policy, timeoutMs: 5000 },
    );
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
