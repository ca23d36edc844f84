import { EventEnvelope, EventTypes, PolicySetActivatedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ActivePolicySet } from './active-policy-set';

/** Every instance follows activations, whichever instance accepted the set. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class PolicyActivationsHandler {
  constructor(private readonly active: ActivePolicySet) {}

  @EventPattern(EventTypes.PolicySetActivated)
  onActivated(@Payload() event: EventEnvelope<PolicySetActivatedV1>): void {
    this.active.activate(
      event.data.policySetVersion,
      event.data.policies.map((p) => ({ id: p.id, file: `${p.id}.yaml`, source: p.source })),
    );
  }
}
