import { EventEnvelope, IntentDecidedV1, IntentProposedV1, OutcomeVerifiedV1 } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What guardrail knows about an intent's decisions: its own (with the intent) and another service's. */
export interface DecisionsOfIntent {
  own?: { decision: IntentDecidedV1; intent: IntentProposedV1 | null; agentId: string };
  external?: IntentDecidedV1;
}

/**
 * Outcome verification's tables: `verifications` (one per outcome), `external_decisions` (the
 * binding human, timeout and kill-switch decisions) and a read of guardrail's own `decisions`.
 */
export abstract class VerificationRepository {
  /** Keeps another service's decision of an intent; a human decision replaces any other, nothing replaces it. */
  abstract rememberExternalDecision(decision: IntentDecidedV1): Promise<void>;
  abstract decisionsOf(intentId: string): Promise<DecisionsOfIntent>;
  /** The verification already stored for the outcome, if any. */
  abstract storedVerification(outcomeId: string): Promise<EventEnvelope<OutcomeVerifiedV1> | undefined>;
  /** Stores the verification unless the outcome has one already; true when this one was stored. */
  abstract insertVerification(event: EventEnvelope<OutcomeVerifiedV1>): Promise<boolean>;
}

/** The only place that speaks SQL about verifications. */
@Injectable()
export class PostgresVerificationRepository extends VerificationRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async rememberExternalDecision(decision: IntentDecidedV1): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO external_decisions (intent_id, verdict, decided_by, decision, decided_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (intent_id) DO UPDATE SET verdict = EXCLUDED.verdict, decided_by = EXCLUDED.decided_by,
         decision = EXCLUDED.decision, decided_at = EXCLUDED.decided_at
       WHERE EXCLUDED.decided_by = 'human'`,
      [decision.intentId, decision.verdict, decision.decidedBy, JSON.stringify(decision), decision.decidedAt],
    );
  }

  async decisionsOf(intentId: string): Promise<DecisionsOfIntent> {
    const [own] = await this.dataSource.query(
      `SELECT event, intent, agent_id FROM decisions WHERE intent_id = $1`,
      [intentId],
    );
    const [external] = await this.dataSource.query(
      `SELECT decision FROM external_decisions WHERE intent_id = $1`,
      [intentId],
    );
    return {
      own: own
        ? {
            decision: (own.event as EventEnvelope<IntentDecidedV1>).data,
            intent: own.intent as IntentProposedV1 | null,
            agentId: own.agent_id,
          }
        : undefined,
      external: external?.decision,
    };
  }

  async storedVerification(outcomeId: string): Promise<EventEnvelope<OutcomeVerifiedV1> | undefined> {
    const [stored] = await this.dataSource.query(`SELECT event FROM verifications WHERE outcome_id = $1`, [
      outcomeId,
    ]);
    return stored?.event;
  }

  async insertVerification(event: EventEnvelope<OutcomeVerifiedV1>): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO verifications (outcome_id, intent_id, violation, event) VALUES ($1, $2, $3, $4) ON CONFLICT (outcome_id) DO NOTHING RETURNING outcome_id`,
      [event.data.outcomeId, event.data.intentId, event.data.violation, JSON.stringify(event)],
    );
    return inserted.length > 0;
  }
}
