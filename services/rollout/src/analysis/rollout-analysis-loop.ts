import {
  EscalationResolvedV1,
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  OutcomeReportedV1,
  OutcomeVerifiedV1,
  TelemetryRecordedV1,
} from '@agentops/contracts';
import {
  IntentFact,
  RolloutPlan,
  assignIntent,
  businessValueFact,
  currentStratum,
  decisionFact,
  escalationFact,
  recordArmFact,
  usageFact,
  verificationFact,
} from '@agentops/rollout-analysis';
import { Clock, LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { RolloutPropagation } from '../rollouts/rollout-propagation';
import { planOf } from '../rollouts/rollout-plans';
import {
  PendingFact,
  RolloutIntentRow,
  RolloutRecord,
  RolloutStore,
  unitPathsOf,
} from '../rollouts/rollout-store';
import { decideAndApply } from '../rollouts/rollout-transitions';

/** The events that carry a fact about an intent, joined to its arm by intent id. */
export type FactEvent = EventEnvelope<
  IntentDecidedV1 | EscalationResolvedV1 | OutcomeVerifiedV1 | OutcomeReportedV1 | TelemetryRecordedV1
>;

/** Which arm an intent counts for: the variant it ran, when that is its unit's assignment. */
export type IntentArm =
  | { counted: true; arm: string; unit: string }
  | { counted: false; why: 'not_in_cohort' | 'no_variant' | 'variant_mismatch'; arm?: string };

export function armOfIntent(
  plan: RolloutPlan,
  record: Pick<RolloutRecord, 'salt' | 'state'>,
  intent: IntentProposedV1,
): IntentArm {
  const assignment = assignIntent(plan, record.state.weights, record.salt, intent);
  if (!assignment) return { counted: false, why: 'not_in_cohort' };
  const ran = intent.variant?.rollout === plan.key ? intent.variant.name : undefined;
  if (ran === undefined) return { counted: false, why: 'no_variant', arm: assignment.arm };
  if (ran !== assignment.arm) return { counted: false, why: 'variant_mismatch', arm: assignment.arm };
  return { counted: true, arm: assignment.arm, unit: assignment.unit };
}

function factsOf(event: FactEvent, plan: RolloutPlan, row: RolloutIntentRow): IntentFact[] {
  switch (event.type) {
    case EventTypes.IntentDecided: {
      const f = decisionFact(event.data as IntentDecidedV1, row.proposedAt);
      return f ? [f] : [];
    }
    case EventTypes.EscalationResolved:
      return [escalationFact(event.data as EscalationResolvedV1)];
    case EventTypes.OutcomeVerified:
      return [verificationFact(event.data as OutcomeVerifiedV1)];
    case EventTypes.OutcomeReported: {
      const paths = new Set(
        [...plan.guardrails, ...(plan.experiment ? [plan.experiment.primary] : [])]
          .filter((r) => r.kpi === 'business_value' && r.path)
          .map((r) => r.path!),
      );
      return [...paths]
        .map((p) => businessValueFact(event.data as OutcomeReportedV1, p))
        .filter((f): f is IntentFact => f !== undefined);
    }
    case EventTypes.TelemetryRecorded:
      // One telemetry event is one usage observation (an intent reporting several is counted per report).
      return [usageFact([event.data as TelemetryRecordedV1])];
    default:
      return [];
  }
}

const FACT_TYPES = new Set<string>([
  EventTypes.IntentDecided,
  EventTypes.EscalationResolved,
  EventTypes.OutcomeVerified,
  EventTypes.OutcomeReported,
  EventTypes.TelemetryRecorded,
]);

function intentIdOf(event: EventEnvelope): string | undefined {
  const id = (event.data as { intentId?: unknown } | undefined)?.intentId;
  return typeof id === 'string' ? id : undefined;
}

/** What a claim is for: an intent's decision claims the intent (only its first counts), any other fact its own event. */
function claimOf(event: EventEnvelope, row: RolloutIntentRow): string {
  return event.type === EventTypes.IntentDecided ? row.intentId : event.id;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** How long a tenant's unit paths are not noted again (the store keeps `last_seen` to the minute). */
const UNIT_PATH_NOTE_MS = 60_000;
/** Bound on the remembered (tenant, path) pairs; past it, the memory is cleared and paths noted anew. */
const UNIT_PATH_MEMORY = 10_000;

/**
 * The analysis loop, a chunk of events at a time: intents are assigned to their arm (and stratum)
 * when they arrive; every later fact about them (decision, escalation resolution, verification,
 * outcome value, usage) is counted once per rollout and claim, into the stratum the intent ran
 * under. What belongs to no live rollout is dropped before any query about it. Each rollout a chunk
 * touches is changed in one transaction — its claims, its counts and the library's decision, taken
 * once on the whole chunk — so a restart resumes from exactly the stored counts and state, a
 * redelivered chunk counts nothing twice, and an action is durable before it is announced.
 */
@Injectable()
export class RolloutAnalysisLoop {
  /** When each tenant's paths were last noted, so a busy tenant costs one upsert a minute, not one per intent. */
  private readonly notedPaths = new Map<string, number>();

  constructor(
    private readonly store: RolloutStore,
    private readonly propagation: RolloutPropagation,
    @Inject(LOGGER) private readonly logger: Logger,
    /** The time the loop decides at; unit specs move it to control dwell. */
    private readonly clock: Clock,
  ) {}

  /**
   * One chunk of the consumer, in offset order: intents, then facts (those of this chunk and those
   * held for its intents), then one change per rollout. Either everything is stored or it throws and
   * the chunk is offered again; claims keep the second pass from counting anything twice.
   */
  async countBatch(events: EventEnvelope[]): Promise<void> {
    const now = this.clock.now();
    const intents = events.filter(
      (e): e is EventEnvelope<IntentProposedV1> => e.type === EventTypes.IntentProposed,
    );
    await this.noteUnitPaths(intents, now);
    const live = await this.store.live();
    if (!live.length) return;
    const liveTenants = new Set(live.map((r) => r.tenantId));
    const rollouts = new Map(live.map((r) => [r.id, { record: r, plan: planOf(r) }]));

    const assigned: RolloutIntentRow[] = [];
    const arriving: string[] = [];
    for (const { data: intent } of intents) {
      if (!liveTenants.has(intent.agent.tenantId)) continue;
      arriving.push(intent.intentId);
      for (const { record, plan } of rollouts.values()) {
        if (record.tenantId !== intent.agent.tenantId) continue;
        const arm = armOfIntent(plan, record, intent);
        if (!arm.counted) continue;
        assigned.push({
          intentId: intent.intentId,
          rolloutId: record.id,
          arm: arm.arm,
          stratum: currentStratum(record.stats)?.id ?? 0,
          proposedAt: intent.proposedAt,
        });
      }
    }
    await this.store.recordIntents(assigned);

    // Facts that overtook their intent (another topic, another partition) are counted now, first.
    const held = await this.store.pendingFacts(arriving);
    const facts: { intentId: string; event: EventEnvelope }[] = [...held];
    for (const event of events) {
      if (!FACT_TYPES.has(event.type) || !liveTenants.has(event.tenantid)) continue;
      const intentId = intentIdOf(event);
      if (intentId) facts.push({ intentId, event });
    }
    if (!facts.length) return;
    const unmatched = await this.countFacts(facts, rollouts);
    await this.store.dropPendingFacts(held.map((f) => f.event.id));
    // A held fact whose intent counts for no rollout is done; the others' intents may be on the way.
    const wasHeld = new Set(held);
    const waiting = unmatched.filter((f) => !wasHeld.has(f));
    if (!waiting.length) return;
    await this.store.holdPendingFacts(waiting, now.toISOString());
    // Partitions are read in parallel: the intent may have been recorded, and its held facts looked
    // for, between the lookup above and the hold. Looking again after the hold closes that gap
    // (whoever counts a fact first claims it); the ones still unmatched wait for their intent.
    const still = new Set(await this.countFacts(waiting, rollouts));
    const nowMatched = waiting.filter((f) => !still.has(f));
    await this.store.dropPendingFacts(nowMatched.map((f) => f.event.id));
  }

  /** Counts each fact for the rollouts its intent ran under, one change per rollout; returns those with no intent row. */
  private async countFacts(
    facts: PendingFact[],
    rollouts: Map<string, { record: RolloutRecord; plan: RolloutPlan }>,
  ): Promise<PendingFact[]> {
    const rows = await this.store.intentRows([...new Set(facts.map((f) => f.intentId))]);
    const rowsOf = new Map<string, RolloutIntentRow[]>();
    for (const row of rows) if (rollouts.has(row.rolloutId)) pushTo(rowsOf, row.intentId, row);
    const byRollout = new Map<string, { row: RolloutIntentRow; event: FactEvent }[]>();
    const unmatched: PendingFact[] = [];
    for (const fact of facts) {
      const found = rowsOf.get(fact.intentId);
      if (!found) unmatched.push(fact);
      for (const row of found ?? [])
        pushTo(byRollout, row.rolloutId, { row, event: fact.event as FactEvent });
    }
    for (const [rolloutId, items] of byRollout) await this.count(rolloutId, items);
    return unmatched;
  }

  /** Looks at every live rollout without new events: dwell alone can complete a step. */
  async tick(): Promise<void> {
    for (const record of await this.store.live()) {
      const changed = await this.store.mutate(record.id, async (current) => {
        const decided = decideAndApply(planOf(current), current, this.clock.now().getTime());
        if (!decided) return { result: null };
        const event = this.propagation.transitionEvent(decided.record, decided.details);
        return { record: decided.record, transitions: [event], result: { record: decided.record, event } };
      });
      if (changed) await this.propagation.propagate(changed.record, [changed.event]);
    }
  }

  async dropStalePendingFacts(ttlMs: number): Promise<number> {
    return this.store.dropPendingFactsBefore(new Date(this.clock.now().getTime() - ttlMs).toISOString());
  }

  /** Paths of tenants not noted within the last minute, one upsert per tenant. */
  private async noteUnitPaths(intents: EventEnvelope<IntentProposedV1>[], now: Date): Promise<void> {
    const due = new Map<string, Set<string>>();
    for (const { data: intent } of intents) {
      const tenant = intent.agent.tenantId;
      for (const path of unitPathsOf(intent)) {
        const key = `${tenant}\u0000${path}`;
        if (now.getTime() - (this.notedPaths.get(key) ?? -Infinity) < UNIT_PATH_NOTE_MS) continue;
        due.set(tenant, (due.get(tenant) ?? new Set()).add(path));
      }
    }
    for (const [tenant, paths] of due) {
      await this.store.noteUnitPaths(tenant, [...paths], now.toISOString());
      if (this.notedPaths.size > UNIT_PATH_MEMORY) this.notedPaths.clear();
      for (const path of paths) this.notedPaths.set(`${tenant}\u0000${path}`, now.getTime());
    }
  }

  /** One rollout's facts of a chunk: claimed, counted and decided in one transaction, then announced. */
  private async count(
    rolloutId: string,
    items: { row: RolloutIntentRow; event: FactEvent }[],
  ): Promise<void> {
    const changed = await this.store.mutate(rolloutId, async (current, tx) => {
      const plan = planOf(current);
      // The first fact of each claim in the chunk (a redelivered event, or an intent's later decision, is not another).
      const firsts = new Map<string, { row: RolloutIntentRow; facts: IntentFact[] }>();
      for (const { row, event } of items) {
        const claim = claimOf(event, row);
        if (firsts.has(claim)) continue;
        const facts = factsOf(event, plan, row);
        if (facts.length) firsts.set(claim, { row, facts });
      }
      const claimed = await tx.claimEvents([...firsts.keys()]);
      if (!claimed.size) return { result: null };
      const stats = structuredClone(current.stats);
      let recorded = false;
      for (const [claim, { row, facts }] of firsts) {
        if (!claimed.has(claim)) continue;
        for (const fact of facts) recorded = recordArmFact(stats, row.arm, fact, row.stratum) || recorded;
      }
      if (!recorded) return { result: null };
      const counted: RolloutRecord = { ...current, stats, updatedAt: this.clock.now().toISOString() };
      const decided = decideAndApply(plan, counted, this.clock.now().getTime());
      if (!decided) return { record: counted, result: null };
      const transition = this.propagation.transitionEvent(decided.record, decided.details);
      return {
        record: decided.record,
        transitions: [transition],
        result: { record: decided.record, transition },
      };
    });
    if (!changed) return;
    this.logger.info(
      {
        rolloutId: changed.record.id,
        key: changed.record.key,
        transition: changed.transition.data.transition,
      },
      'rollout transition',
    );
    await this.propagation.propagate(changed.record, [changed.transition]);
  }
}
