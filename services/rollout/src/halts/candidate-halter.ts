import { CohortSelector } from '@agentops/contracts';
import { SERVICE_CONFIG, ServiceCredentials } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { RolloutConfig } from '../config';

/** Halts a rolled-back candidate's cohort with a kill switch; returns the switch's id (a port). */
export abstract class CandidateHalter {
  abstract halt(selector: CohortSelector, reason: string, ticket: string): Promise<string>;
}

/**
 * killswitch's own API (POST /v1/killswitches), called as the `rollout` service principal — its
 * short-lived assertion, which killswitch accepts on that route only — so the switch is stored,
 * fanned out (Redis + compacted topic) and audited like any other flip, by the service that owns
 * switches.
 */
@Injectable()
export class KillSwitchApiHalter extends CandidateHalter {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: RolloutConfig,
    private readonly credentials: ServiceCredentials,
  ) {
    super();
  }

  async halt(selector: CohortSelector, reason: string, ticket: string): Promise<string> {
    const res = await fetch(`${this.config.KILLSWITCH_URL}/v1/killswitches`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: this.credentials.authorization('killswitch'),
      },
      body: JSON.stringify({ selector, reason: reason.slice(0, 2000), ticket: ticket.slice(0, 200) }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`killswitch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return ((await res.json()) as { id: string }).id;
  }
}
