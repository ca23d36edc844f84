import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { EventPublisher, createEvent } from '@agentops/messaging';
import { checkPriceFloor } from '@agentops/policy';
import { SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { CatalogCache } from '../catalog/catalog-cache';
import { GuardrailConfig } from '../config';
import { KillSwitchGate } from '../killswitch/kill-switch-gate';
import { DecisionRepository } from './decision-repository';

/**
 * Use case: decide one intent exactly once. A redelivered intent (restart, rebalance) finds its
 * stored decision and republishes that same event — same id — so downstream dedup holds.
 */
@Injectable()
export class IntentEvaluation {
  constructor(
    private readonly catalog: CatalogCache,
    private readonly decisions: DecisionRepository,
    private readonly publisher: EventPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: GuardrailConfig,
    private readonly killSwitches: KillSwitchGate,
  ) {}

  async evaluate(intent: EventEnvelope<IntentProposedV1>): Promise<EventEnvelope<IntentDecidedV1>> {
    const existing = await this.decisions.findByIntent(intent.data.intentId);
    const decision = existing ?? (await this.decisions.saveFirst(this.decide(intent)));
    await this.publisher.publish(decision, intent.data.agent.id);
    return decision;
  }

  private decide(intent: EventEnvelope<IntentProposedV1>): EventEnvelope<IntentDecidedV1> {
    const now = new Date();
    const halt = this.killSwitches.check(intent.data); // kill switch first: covered → deny naming the switch
    const floor = checkPriceFloor(intent.data, this.catalog.lookup);
    const data: IntentDecidedV1 = {
      intentId: intent.data.intentId,
      agentId: intent.data.agent.id,
      action: intent.data.action,
      verdict: floor?.verdict ?? 'allow',
      reasons: floor?.reasons ?? [],
      obligations: [],
      decidedBy: 'policy',
      decisionSource: 'skeleton:retail.price-floor@1',
      decidedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.config.DECISION_TTL_MS).toISOString(),
      ...(halt ? KillSwitchGate.denial(halt) : {}),
    };
    return createEvent(EventTypes.IntentDecided, data, {
      source: 'agentops/guardrail',
      tenantid: intent.tenantid,
      agentid: intent.data.agent.id,
      correlationid: intent.data.intentId,
      subject: intent.subject,
      cause: intent,
      time: now,
    });
  }
}
