import { SERVICE_CONFIG, ServiceCredentials } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { AccessConfig } from '../config';

/** Halts one agent with a kill switch on its id; returns the switch's id (a port). */
export abstract class AgentQuarantine {
  abstract quarantine(
    agent: { tenantId: string; agentId: string },
    reason: string,
    ticket: string,
  ): Promise<string>;
}

/**
 * killswitch's own API (POST /v1/killswitches), called as the `access` service principal — its
 * short-lived assertion, which killswitch accepts on that route only — so the quarantine is
 * stored, fanned out (Redis + compacted topic) and audited like any other flip, and released by a
 * human like any other switch.
 */
@Injectable()
export class KillSwitchApiQuarantine extends AgentQuarantine {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: AccessConfig,
    private readonly credentials: ServiceCredentials,
  ) {
    super();
  }

  async quarantine(
    agent: { tenantId: string; agentId: string },
    reason: string,
    ticket: string,
  ): Promise<string> {
    const res = await fetch(`${this.config.KILLSWITCH_URL}/v1/killswitches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: this.credentials.authorization('killswitch'),
      },
      body: JSON.stringify({
        selector: { tenantId: agent.tenantId, agentId: agent.agentId },
        reason: reason.slice(0, 2000),
        ticket: ticket.slice(0, 200),
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`killswitch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return ((await res.json()) as { id: string }).id;
  }
}
