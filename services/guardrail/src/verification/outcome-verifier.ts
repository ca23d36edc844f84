import { EVENT_SOURCE } from '@agentops/service-runtime';
import {
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  OutcomeReportedV1,
  OutcomeVerifiedV1,
} from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { Approval, verifyOutcome } from '@agentops/policy';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Use case: join an outcome to the decision it claims and publish `outcome.verified`; a mismatch
 * is a violation (it counts toward breakers). Exactly one verification per outcome.
 */
@Injectable()
export class OutcomeVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  /** Human, timeout and kill-switch decisions come from other services; keep the one that binds. */
  async rememberExternalDecision(decision: IntentDecidedV1): Promise<void> {
    if (decision.decidedBy === 'policy' || decision.decidedBy === 'permissions') return;
    await this.dataSource.query(
      `INSERT INTO external_decisions (intent_id, verdict, decided_by, decision, decided_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (intent_id) DO UPDATE SET verdict = EXCLUDED.verdict, decided_by = EXCLUDED.decided_by,
         decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at
       WHERE EXCLUDED.decided_by = 'human'`,
      [decision.intentId, decision.verdict, decision.decidedBy, JSON.stringify(decision), decision.decidedAt],
    );
  }

  async verify(outcome: EventEnvelope<OutcomeReportedV1>): Promise<EventEnvelope<OutcomeVerifiedV1>> {
    const [stored] = await this.dataSource.query(`SELECT event FROM verifications WHERE outcome_id = $1`, [
      outcome.data.outcomeId,
    ]);
    if (stored) {
      await this.publisher.publish(stored.event, outcome.data.agentId);
      return stored.event;
    }
    const differences = verifyOutcome(
      await this.approvalFor(outcome.data.intentId, outcome.data.agentId),
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
        verifiedAt: new Date().toISOString(),
      },
      {
        source: this.source,
        tenantid: outcome.tenantid,
        agentid: outcome.data.agentId,
        correlationid: outcome.data.intentId,
        cause: outcome,
      },
    );
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO verifications (outcome_id, intent_id, violation, event) VALUES ($1, $2, $3, $4) ON CONFLICT (outcome_id) DO NOTHING RETURNING outcome_id`,
      [outcome.data.outcomeId, outcome.data.intentId, event.data.violation, JSON.stringify(event)],
    );
    if (inserted.length === 0) return this.verify(outcome);
    await this.publisher.publish(event, outcome.data.agentId);
    return event;
  }

  private async approvalFor(intentId: string, agentId: string): Promise<Approval | null> {
    const [own] = await this.dataSource.query(
      `SELECT event, intent, agent_id FROM decisions WHERE intent_id = $1`,
      [intentId],
    );
    const [external] = await this.dataSource.query(
      `SELECT decision FROM external_decisions WHERE intent_id = $1`,
      [intentId],
    );
    const ownDecision = own ? (own.event as EventEnvelope<IntentDecidedV1>).data : undefined;
    // An agent may only claim its own intents.
    if (own && own.agent_id !== agentId) return null;
    const binding: IntentDecidedV1 | undefined =
      external?.decision.decidedBy === 'human' || !ownDecision
        ? (external?.decision ?? ownDecision)
        : ownDecision;
    if (!binding) return null;
    const intent = own?.intent as IntentProposedV1 | null;
    return {
      action: binding.action,
      verdict: binding.verdict,
      decidedBy: binding.decidedBy,
      approvedParams: binding.modifiedParams ?? ownDecision?.modifiedParams ?? intent?.params ?? {},
      obligations: binding.obligations ?? [],
    };
  }
}
