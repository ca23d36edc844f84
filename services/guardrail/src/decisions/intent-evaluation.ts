import { EventEnvelope, EventTypes, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import {
  DecisionBody,
  PlatformPolicies,
  deadlineDenial,
  decided,
  killSwitchDenial,
  platformDenial,
} from '@agentops/decisions';
import { EventPublisher, createEvent } from '@agentops/messaging';
import {
  CatalogFacts,
  catalogFacts,
  decisionFacts,
  decisionSourceOf,
  evaluatePolicyLayers,
  missingScope,
} from '@agentops/policy';
import { EVENT_SOURCE, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { GuardrailConfig } from '../config';
import { CatalogCache } from '../context/catalog-cache';
import { RetailFactsCache } from '../context/retail-facts';
import { RollingCounterStore } from '../counters/rolling-counter-store';
import { KillSwitchGate } from '../killswitch/kill-switch-gate';
import { RolloutVariantGate } from '../rollouts/rollout-variant-gate';
import { ActivePolicySets } from '../policies/active-policy-sets';
import { DecisionRepository } from './decision-repository';

/**
 * Use case: decide one intent exactly once, in this order — kill switches, the agent's scopes
 * (deny by default), then the platform baseline together with the agent's tenant's set, if it has
 * one, over the retail context. A redelivered intent
 * finds its stored decision and republishes that same event (same id), so downstream dedup holds.
 */
@Injectable()
export class IntentEvaluation {
  constructor(
    private readonly catalog: CatalogCache,
    private readonly retail: RetailFactsCache,
    private readonly counters: RollingCounterStore,
    private readonly policies: ActivePolicySets,
    private readonly decisions: DecisionRepository,
    private readonly publisher: EventPublisher,
    private readonly killSwitches: KillSwitchGate,
    private readonly rolloutVariants: RolloutVariantGate,
    @Inject(SERVICE_CONFIG) private readonly config: GuardrailConfig,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async evaluate(intent: EventEnvelope<IntentProposedV1>): Promise<EventEnvelope<IntentDecidedV1>> {
    // No read-before-write: a redelivered intent is re-evaluated, and saveFirst returns the decision
    // stored the first time, which is what gets republished. Saves a round trip on every intent.
    const item = catalogFacts(this.catalog.lookup(intent.data.agent.tenantId, skuOf(intent.data)));
    const decision = this.envelope(intent, {
      ...(await this.decide(intent.data, item)),
      facts: decisionFacts(item),
    });
    const recorded = await this.decisions.saveFirst(decision, intent.data);
    await this.publisher.publish(recorded, intent.data.agent.id);
    if (recorded.id === decision.id) {
      const allowed = decision.data.verdict === 'allow' || decision.data.verdict === 'modify';
      const effective = { ...intent.data, params: decision.data.modifiedParams ?? intent.data.params };
      await this.counters.record(intent.data.agent, effective, item, allowed);
    }
    return recorded;
  }

  /**
   * Dry run: the decision this intent would get now, with no decision stored, no event published
   * and no counter moved (escalation re-checks reviewer-edited params through it).
   */
  async preview(intent: IntentProposedV1): Promise<DecisionBody> {
    const item = catalogFacts(this.catalog.lookup(intent.agent.tenantId, skuOf(intent)));
    return { ...(await this.decide(intent, item)), facts: decisionFacts(item) };
  }

  private async decide(intent: IntentProposedV1, item: CatalogFacts): Promise<DecisionBody> {
    if (intent.decisionDeadline && Date.parse(intent.decisionDeadline) < Date.now()) {
      // The waiting agent was already answered with ingest's fail-closed deny; under a backlog,
      // spending no evaluation on it lets the guardrail catch up instead of collapsing.
      return deadlineDenial();
    }
    const halt = this.killSwitches.check(intent);
    if (halt) return killSwitchDenial(halt);
    const wrongVariant = this.rolloutVariants.check(intent);
    if (wrongVariant) return wrongVariant;

    const missing = missingScope(intent.agent, intent);
    if (missing) {
      return platformDenial(
        'permissions',
        PlatformPolicies.agentScopes,
        `agent ${intent.agent.id} lacks the scope ${missing}`,
        'scopes',
      );
    }
    const layers = this.policies.layersFor(intent.agent.tenantId);
    if (!layers)
      return platformDenial(
        'policy',
        PlatformPolicies.noPolicySet,
        'no baseline policy set is active: nothing is allowed until one is applied',
        'none',
      );

    const evaluation = evaluatePolicyLayers(layers, {
      intent,
      agent: intent.agent,
      item,
      counters: await this.counters.read(intent.agent, intent, item),
      retail: this.retail.forTenant(intent.agent.tenantId),
    });
    return {
      verdict: evaluation.verdict,
      reasons: evaluation.reasons,
      obligations: evaluation.obligations,
      modifiedParams: evaluation.modifiedParams,
      decidedBy: 'policy',
      decisionSource: decisionSourceOf(evaluation.versions),
      policySetVersions: evaluation.versions,
      shadowVerdict: evaluation.shadowVerdict,
    };
  }

  private envelope(
    intent: EventEnvelope<IntentProposedV1>,
    body: DecisionBody,
  ): EventEnvelope<IntentDecidedV1> {
    const now = new Date();
    return createEvent(
      EventTypes.IntentDecided,
      decided(
        { intentId: intent.data.intentId, agentId: intent.data.agent.id, action: intent.data.action },
        body,
        now,
        this.config.DECISION_TTL_MS,
      ),
      {
        source: this.source,
        tenantid: intent.tenantid,
        agentid: intent.data.agent.id,
        correlationid: intent.data.intentId,
        subject: intent.subject,
        cause: intent,
        time: now,
      },
    );
  }
}

/** The SKU an intent is about: `params.sku`, or the target when it is a SKU. */
function skuOf(intent: Pick<IntentProposedV1, 'params' | 'target'>): string {
  const sku = intent.params['sku'];
  if (typeof sku === 'string') return sku;
  return intent.target.type === 'sku' ? intent.target.id : '';
}
