import {
  AgentIdentity,
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposal,
  IntentProposedV1,
} from '@agentops/contracts';
import {
  DecisionBody,
  PlatformPolicies,
  deadlineDenial,
  decided,
  killSwitchDenial,
  platformDenial,
  policyDecision,
} from '@agentops/decisions';
import { EventPublisher, createEvent, newEventId } from '@agentops/messaging';
import {
  CatalogFacts,
  CounterBatchView,
  CounterSlot,
  CounterWrite,
  catalogFacts,
  counterSlots,
  counterWrites,
  decisionFacts,
  evaluatePolicyLayers,
  missingScope,
  probeMembers,
} from '@agentops/policy';
import { Clock, EVENT_SOURCE, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import { EgressFlowGate, FlowEvidence } from '../access/egress-flow-gate';
import { GuardrailConfig } from '../config';
import { CatalogCache } from '../context/catalog-cache';
import { RetailFactsCache } from '../context/retail-facts';
import { RollingCounterStore } from '../counters/rolling-counter-store';
import { KillSwitchGate } from '../killswitch/kill-switch-gate';
import { RolloutVariantGate } from '../rollouts/rollout-variant-gate';
import { ActivePolicySets } from '../policies/active-policy-sets';
import { DecisionRepository, StoredDecision } from './decision-repository';
import { PolicyEvaluationTimer } from './policy-evaluation-timer';

type Intent = EventEnvelope<IntentProposedV1>;

interface Planned {
  intent: Intent;
  item: CatalogFacts;
  slots: CounterSlot[];
}

/**
 * Use case: decide intents exactly once, a batch (consecutive intents of one partition) at a
 * time. Each intent is judged in this order — kill switches, the agent's scopes (deny by default),
 * the data-access flow rules for an egress intent, then the platform baseline together with the
 * agent's tenant's set, if it has one, over the retail context and the rolling counters. The batch
 * pays its I/O once, not per intent: one read of the stored decisions, of the counters and of the
 * access histories of agents with an egress intent (in parallel), pure evaluation of every intent in
 * order (each sees the counters of the intents before it), one multi-row INSERT, then one produce
 * and one counter write (in parallel). A redelivered intent — in the same batch, a later one, or
 * after a restart — is not judged again: its stored decision is republished (same event id), so
 * downstream dedup holds. Semantics: docs/architecture-notes.md § Guardrail decides in batches.
 */
@Injectable()
export class IntentEvaluation {
  constructor(
    @Inject(CatalogCache) private readonly catalog: Pick<CatalogCache, 'lookup'>,
    @Inject(RetailFactsCache) private readonly retail: Pick<RetailFactsCache, 'forTenant'>,
    private readonly counters: RollingCounterStore,
    @Inject(ActivePolicySets) private readonly policies: Pick<ActivePolicySets, 'layersFor'>,
    private readonly decisions: DecisionRepository,
    @Inject(EventPublisher) private readonly publisher: Pick<EventPublisher, 'publishMany'>,
    @Inject(KillSwitchGate) private readonly killSwitches: Pick<KillSwitchGate, 'check'>,
    @Inject(RolloutVariantGate) private readonly rolloutVariants: Pick<RolloutVariantGate, 'check'>,
    @Inject(EgressFlowGate) private readonly flows: Pick<EgressFlowGate, 'prepare' | 'check'>,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: Pick<GuardrailConfig, 'DECISION_TTL_MS'>,
    @Inject(EVENT_SOURCE) private readonly source: string,
    @Inject(PolicyEvaluationTimer) private readonly evaluationTimer: Pick<PolicyEvaluationTimer, 'time'>,
  ) {}

  /**
   * Decides every intent of the batch (in order) and resolves once all decisions are stored and
   * published and the counters recorded; returns the decision on record for each input, in order
   * (an intent given twice gets the same one twice). Throws when any of that failed: the batch may
   * then be retried whole, which republishes what was stored and judges only what was not.
   */
  async evaluateBatch(intents: Intent[]): Promise<StoredDecision[]> {
    const unique = new Map<string, Intent>();
    for (const intent of intents)
      if (!unique.has(intent.data.intentId)) unique.set(intent.data.intentId, intent);
    const planned = [...unique.values()].map((intent) => this.plan(intent));

    const now = this.clock.now().getTime();
    const [stored, snapshot, flows] = await Promise.all([
      this.decisions.findByIntents([...unique.keys()]),
      this.counters.snapshot(
        planned.flatMap((p) => p.slots),
        planned.flatMap((p) => probeMembers(p.slots, p.intent.data, p.item)),
        now,
      ),
      this.flows.prepare(planned.map((p) => p.intent.data)),
    ]);

    const view = new CounterBatchView(snapshot);
    const fresh: { decision: StoredDecision; intent: IntentProposedV1; writes: CounterWrite[] }[] = [];
    for (const p of planned) {
      if (stored.has(p.intent.data.intentId)) continue;
      const evidence = flows.get(p.intent.data.intentId);
      const body = this.decide(p.intent.data, p.item, () => view.valuesFor(p.slots), evidence);
      const decision = this.envelope(p.intent, { ...body, facts: decisionFacts(p.item) });
      const allowed = body.verdict === 'allow' || body.verdict === 'modify';
      const effective = { ...p.intent.data, params: body.modifiedParams ?? p.intent.data.params };
      const writes = counterWrites(p.slots, effective, p.item, allowed);
      view.add(writes);
      fresh.push({ decision, intent: p.intent.data, writes });
    }

    const recorded = await this.decisions.saveFirst(
      fresh.map(({ decision, intent }) => ({ event: decision, intent })),
    );
    const onRecord = new Map(stored);
    recorded.forEach((r) => onRecord.set(r.event.data.intentId, r.event));
    // Only what this batch stored counts: a decision stored by an earlier delivery counted then.
    const writes = recorded.flatMap((r, i) => (r.inserted ? fresh[i].writes : []));

    const outcomes = await Promise.allSettled([
      this.publisher.publishMany(
        [...unique.values()].map((intent) => ({
          event: onRecord.get(intent.data.intentId)!,
          key: intent.data.agent.id,
        })),
      ),
      this.counters.record(writes, this.clock.now().getTime()),
    ]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return intents.map((intent) => onRecord.get(intent.data.intentId)!);
  }

  /**
   * Dry run: the decision this intent would get now, with no decision stored, no event published
   * and no counter moved (escalation re-checks reviewer-edited params through it).
   */
  async preview(intent: IntentProposedV1): Promise<DecisionBody> {
    const item = catalogFacts(this.catalog.lookup(intent.agent.tenantId, skuOf(intent)));
    const slots = this.slotsOf(intent, item);
    const [snapshot, flows] = await Promise.all([
      this.counters.snapshot(slots, [], this.clock.now().getTime()),
      this.flows.prepare([intent]),
    ]);
    const view = new CounterBatchView(snapshot);
    return {
      ...this.decide(intent, item, () => view.valuesFor(slots), flows.get(intent.intentId)),
      facts: decisionFacts(item),
    };
  }

  /** A what-if for a proposal not yet submitted: as the intent it would become now (a fresh id, the Clock's time). */
  previewProposal(agent: AgentIdentity, proposal: IntentProposal): Promise<DecisionBody> {
    return this.preview({
      ...proposal,
      intentId: newEventId(),
      agent,
      proposedAt: this.clock.now().toISOString(),
    });
  }

  private plan(intent: Intent): Planned {
    const item = catalogFacts(this.catalog.lookup(intent.data.agent.tenantId, skuOf(intent.data)));
    return { intent, item, slots: this.slotsOf(intent.data, item) };
  }

  private slotsOf(intent: IntentProposedV1, item: CatalogFacts): CounterSlot[] {
    return counterSlots(intent.agent, intent, item, (def, scope) =>
      this.counters.keyOf(intent.agent.tenantId, def.name, scope),
    );
  }

  /** Pure, given the in-memory state: the batch's I/O is done before and after. */
  private decide(
    intent: IntentProposedV1,
    item: CatalogFacts,
    counters: () => Record<string, number>,
    flow: FlowEvidence | undefined,
  ): DecisionBody {
    if (intent.decisionDeadline && Date.parse(intent.decisionDeadline) < this.clock.now().getTime()) {
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
    const toxicFlow = this.flows.check(intent, flow, this.clock.now().getTime());
    if (toxicFlow) return toxicFlow;
    const layers = this.policies.layersFor(intent.agent.tenantId);
    if (!layers)
      return platformDenial(
        'policy',
        PlatformPolicies.noPolicySet,
        'no baseline policy set is active: nothing is allowed until one is applied',
        'none',
      );

    const facts = {
      intent,
      agent: intent.agent,
      item,
      counters: counters(),
      retail: this.retail.forTenant(intent.agent.tenantId),
    };
    const now = this.clock.now().getTime();
    return policyDecision(this.evaluationTimer.time(() => evaluatePolicyLayers(layers, facts, now)));
  }

  private envelope(intent: Intent, body: DecisionBody): EventEnvelope<IntentDecidedV1> {
    const now = this.clock.now();
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
