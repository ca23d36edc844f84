import { AgentIdentity, IntentDecidedV1 } from '@agentops/contracts';
import { decided, killSwitchDenial } from '@agentops/decisions';
import { KillSwitchSet } from '@agentops/killswitch-client';
import { Clock, DomainError } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DecisionBoard } from '../decisions/decision-board';
import { DecisionPublisher } from '../decisions/decision-publisher';

/**
 * ingest's first line: an intent a kill switch covers is refused here, from memory, without a
 * round trip to guardrail. The refusal is a real decision (deny, decidedBy killswitch, the switch
 * named in the reason), recorded for `GET /v1/intents/:id/decision` and published so audit has it.
 */
@Injectable()
export class KillSwitchEnforcement {
  constructor(
    private readonly switches: KillSwitchSet,
    private readonly board: DecisionBoard,
    private readonly publisher: DecisionPublisher,
    private readonly clock: Clock,
  ) {}

  /** null when no switch covers the intent; otherwise the published deny. */
  async refuseIfCovered(
    agent: AgentIdentity,
    action: string,
    intentId: string,
  ): Promise<IntentDecidedV1 | null> {
    // Fail closed: an instance that has not loaded the switch set decides nothing.
    if (!this.switches.isLoaded) throw new DomainError('unavailable', 'kill-switch state not loaded yet');
    const hit = this.switches.check(agent, action, intentId);
    if (!hit) return null;
    const decision = decided(
      { intentId, agentId: agent.id, action },
      killSwitchDenial(hit),
      this.clock.now(),
    );
    await this.board.record(decision);
    await this.publisher.publish(agent, decision, { id: hit.switchId });
    return decision;
  }
}
