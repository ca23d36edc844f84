import { CohortSelector, IntentProposedV1 } from '@agentops/contracts';
import { KillSwitchSet } from '@agentops/killswitch-client';
import { Injectable } from '@nestjs/common';

export interface KillSwitchGateHit {
  switchId: string;
  reason: string;
  selector: CohortSelector;
  actor: string;
}

/**
 * guardrail's second line behind ingest: an intent already in flight when a switch was flipped is
 * denied here (`killSwitchDenial` of @agentops/decisions). Reads the in-memory set only (no I/O); the set is loaded before intents are consumed.
 */
@Injectable()
export class KillSwitchGate {
  constructor(private readonly switches: KillSwitchSet) {}

  check(intent: IntentProposedV1): KillSwitchGateHit | null {
    // Never decide on an unknown switch state; the consumer loop retries (transient).
    if (!this.switches.isLoaded) throw new Error('kill-switch state not loaded yet');
    const hit = this.switches.check(intent.agent, intent.action, intent.intentId);
    return hit
      ? { switchId: hit.switchId, reason: hit.reason, selector: hit.selector, actor: hit.actor }
      : null;
  }
}
