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
import { RolloutIntentRow, RolloutRecord, RolloutStore, unitPathsOf } from '../rollouts/rollout-store';
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

function intentIdOf(event: FactEvent): string | undefined {
  return (event.data as { intentId?: string }).intentId;
}

/**
 * The analysis loop: intents are assigned to their arm (and stratum) when they arrive; every later
 * fact about them (decision, escalation resolution, verification, outcome value, usage) is counted
 * once per rollout and event id, into the stratum the intent ran under, and the library's decision
 * is taken right after, in the same transaction as the counts — so a restart resumes from exactly
 * the stored counts and state, and an action is durable before it is announced.
 */
@Injectable()
export class RolloutAnalysisLoop {
  constructor(
    private readonly store: RolloutStore,
    private readonly propagation: RolloutPropagation,
    @Inject(LOGGER) private readonly logger: Logger,
    /** The time the loop decides at; unit specs move it to control dwell. */
    private readonly clock: Clock,
  ) {}

  async onIntent(event: EventEnvelope<IntentProposedV1>): Promise<void> {
    const intent = event.data;
    await this.store.noteUnitPaths(
      intent.agent.tenantId,
      unitPathsOf(intent),
      this.clock.now().toISOString(),
    );
    for (const record of await this.store.live(intent.agent.tenantId)) {
      if (record.state.status !== 'running' && record.state.status !== 'paused') continue;
      const arm = armOfIntent(planOf(record), record, intent);
      if (!arm.counted) continue;
      const stratum = currentStratum(record.stats)?.id ?? 0;
      await this.store.recordIntent({
        intentId: intent.intentId,
        rolloutId: record.id,
        arm: arm.arm,
        stratum,
        proposedAt: intent.proposedAt,
      });
    }
    // Facts that overtook their intent (another topic, another partition) are counted now.
    for (const pending of await this.store.takePendingFacts(intent.intentId))
      await this.onFact(pending as FactEvent);
  }

  async onFact(event: FactEvent): Promise<void> {
    const intentId = intentIdOf(event);
    if (!intentId || !FACT_TYPES.has(event.type)) return;
    const rows = await this.store.intentRows(intentId);
    if (!rows.length) {
      // Keep it only while its tenant runs a rollout: its intent may still be on the way.
      if ((await this.store.live(event.tenantid)).length)
        await this.store.holdPendingFact(intentId, event, this.clock.now().toISOString());
      return;
    }
    for (const row of rows) await this.count(row, event);
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

  private async count(row: RolloutIntentRow, event: FactEvent): Promise<void> {
    const changed = await this.store.mutate(row.rolloutId, async (current, tx) => {
      const plan = planOf(current);
      const facts = factsOf(event, plan, row);
      // An intent's *first* decision is its decision fact: a later one (guardrail deciding after
      // ingest's fail-closed deny) is not a second decision, so decisions claim the intent's id.
      const claim = event.type === EventTypes.IntentDecided ? row.intentId : event.id;
      if (!facts.length || !(await tx.claimEvent(claim))) return { result: null };
      const stats = structuredClone(current.stats);
      let recorded = false;
      for (const fact of facts) recorded = recordArmFact(stats, row.arm, fact, row.stratum) || recorded;
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
