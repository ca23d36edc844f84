import {
  AgentRole,
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  OutcomeReportedV1,
  OutcomeVerifiedV1,
} from '@agentops/contracts';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import { DecisionsOfIntent, VerificationRepository } from '../verification-repository';

/**
 * Test doubles for outcome verification: its tables in memory behind the same port as the
 * PostgreSQL repository (with its rules: one verification per outcome, a human decision replaces
 * any other), a publisher that records, and intents, decisions and outcomes as guardrail gets them.
 */
export class InMemoryVerificationRepository extends VerificationRepository {
  readonly own = new Map<string, NonNullable<DecisionsOfIntent['own']>>();
  readonly external = new Map<string, IntentDecidedV1>();
  readonly verifications = new Map<string, EventEnvelope<OutcomeVerifiedV1>>();
  /** Runs before an insert: lets a test store a concurrent instance's verification first. */
  beforeInsert: (event: EventEnvelope<OutcomeVerifiedV1>) => void = () => undefined;

  /** Guardrail's own decision of an intent, as its decision path stores it. */
  decide(intent: IntentProposedV1, decision: IntentDecidedV1): void {
    this.own.set(intent.intentId, { decision, intent, agentId: intent.agent.id });
  }

  async rememberExternalDecision(decision: IntentDecidedV1): Promise<void> {
    const stored = this.external.get(decision.intentId);
    if (!stored || decision.decidedBy === 'human') this.external.set(decision.intentId, decision);
  }

  async decisionsOf(intentId: string): Promise<DecisionsOfIntent> {
    return { own: this.own.get(intentId), external: this.external.get(intentId) };
  }

  async storedVerification(outcomeId: string): Promise<EventEnvelope<OutcomeVerifiedV1> | undefined> {
    return this.verifications.get(outcomeId);
  }

  async insertVerification(event: EventEnvelope<OutcomeVerifiedV1>): Promise<boolean> {
    this.beforeInsert(event);
    if (this.verifications.has(event.data.outcomeId)) return false;
    this.verifications.set(event.data.outcomeId, event);
    return true;
  }
}

/** Every event published, with its key, in order. */
export class RecordingPublisher {
  readonly sent: { event: EventEnvelope; key: string }[] = [];

  async publish(event: EventEnvelope, key: string): Promise<void> {
    this.sent.push({ event, key });
  }

  asPublisher(): EventPublisher {
    return this as unknown as EventPublisher;
  }
}

const AGENT = {
  id: 'pricing-1',
  tenantId: 'maison',
  role: 'pricing' as AgentRole,
  version: '1',
  region: 'eu',
  labels: {},
};

export function proposedIntent(params: Record<string, unknown>, agentId = AGENT.id): IntentProposedV1 {
  return {
    intentId: newEventId(),
    action: 'pricing.set_price',
    target: { type: 'sku', id: 'SKU-1' },
    params,
    confidence: 0.9,
    justification: 'verification test',
    dataUsed: [],
    agent: { ...AGENT, id: agentId },
    proposedAt: '2026-03-02T08:59:00.000Z',
  } as IntentProposedV1;
}

/** A decision of the intent (test data: verification reads decisions, it never makes them). */
export function decisionOf(
  intent: IntentProposedV1,
  verdict: IntentDecidedV1['verdict'],
  decidedBy: IntentDecidedV1['decidedBy'] = 'policy',
  extra: Partial<IntentDecidedV1> = {},
): IntentDecidedV1 {
  return {
    intentId: intent.intentId,
    agentId: intent.agent.id,
    action: intent.action,
    verdict,
    reasons: [],
    obligations: [],
    decidedBy,
    decidedAt: '2026-03-02T08:59:01.000Z',
    expiresAt: '2026-03-02T09:59:01.000Z',
    ...extra,
  };
}

/** The agent's outcome report of the intent, as ingest publishes it. */
export function outcomeOf(
  intent: IntentProposedV1,
  executedParams: Record<string, unknown>,
  over: Partial<OutcomeReportedV1> = {},
): EventEnvelope<OutcomeReportedV1> {
  return createEvent(
    EventTypes.OutcomeReported,
    {
      intentId: intent.intentId,
      action: intent.action,
      status: 'succeeded',
      executedParams,
      outcomeId: newEventId(),
      agentId: intent.agent.id,
      reportedAt: '2026-03-02T09:00:00.000Z',
      ...over,
    },
    { source: 'agentops/ingest', tenantid: intent.agent.tenantId, agentid: intent.agent.id },
  ) as EventEnvelope<OutcomeReportedV1>;
}
