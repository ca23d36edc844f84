import {
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  OutcomeReportedV1,
  OutcomeVerifiedV1,
} from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { verifyOutcome } from '@agentops/policy';
import { Clock, EVENT_SOURCE } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { bindingApproval } from './binding-approval';
import { VerificationRepository } from './verification-repository';

/**
 * Use case: join an outcome to the decision it claims and publish `outcome.verified`; a mismatch
 * is a violation (it counts toward breakers). Exactly one verification per outcome.
 */
@Injectable()
export class OutcomeVerifier {
  constructor(
    private readonly repository: VerificationRepository,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  /** Human, timeout and kill-switch decisions come from other services; keep the one that binds. */
  async rememberExternalDecision(decision: IntentDecidedV1): Promise<void> {
    if (decision.decidedBy === 'policy' || decision.decidedBy === 'permissions') return;
    await this.repository.rememberExternalDecision(decision);
  }

  async verify(outcome: EventEnvelope<OutcomeReportedV1>): Promise<EventEnvelope<OutcomeVerifiedV1>> {
    const stored = await this.repository.storedVerification(outcome.data.outcomeId);
    if (stored) {
      // Redelivery: the same verification again, never a second one.
      await this.publisher.publish(stored, outcome.data.agentId);
      return stored;
    }
    const differences = verifyOutcome(
      bindingApproval(await this.repository.decisionsOf(outcome.data.intentId), outcome.data.agentId),
      outcome.data,
    );
    const event = createEvent(
      EventTypes.OutcomeVerified,
      {
        intentId: outcome.data.intentId,
        outcomeId: outcome.data.outcomeId,
        agentId: outcome.data.agentId,
        violation: differences.length > 0,
        differences,
        verifiedAt: this.clock.now().toISOString(),
      },
      {
        source: this.source,
        tenantid: outcome.tenantid,
        agentid: outcome.data.agentId,
        correlationid: outcome.data.intentId,
        cause: outcome,
      },
    );
    // Another instance verified it meanwhile: publish theirs.
    if (!(await this.repository.insertVerification(event))) return this.verify(outcome);
    await this.publisher.publish(event, outcome.data.agentId);
    return event;
  }
}
