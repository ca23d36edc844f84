import { EventEnvelope, EventTypes, PolicySetActivatedV1 } from '@agentops/contracts';
import { PropagateToConsumerLoop } from '@agentops/messaging-nest';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ActivePolicySets } from './active-policy-sets';
import { BASELINE, tenantScope } from './policy-scope';

/** Every instance follows activations, whichever instance accepted the set, one scope at a time. */
@Controller()
@UseFilters(PropagateToConsumerLoop)
export class PolicyActivationsHandler {
  constructor(private readonly active: ActivePolicySets) {}

  @EventPattern(EventTypes.PolicySetActivated)
  onActivated(@Payload() event: EventEnvelope<PolicySetActivatedV1>): void {
    const { data } = event;
    this.active.activate(
      data.tenantId ? tenantScope(data.tenantId) : BASELINE,
      data.policySetVersion,
      data.policies.map((p) => ({ id: p.id, file: p.file ?? `${p.id}.yaml`, source: p.source })),
      new Date(data.activatedAt),
    );
  }
}
