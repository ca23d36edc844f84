import { CohortSelector } from '@agentops/contracts';
import {
  RolloutAction,
  RolloutAnalysis,
  RolloutPlan,
  applyAction,
  decideNextAction,
  openStratum,
} from '@agentops/rollout-analysis';
import { TransitionDetails } from './rollout-events';
import { CandidateHalt, RolloutRecord } from './rollout-store';

/** The analysis's own actor in transitions. */
export const ANALYSIS_ACTOR = 'analysis';

/**
 * The kill switch that halts a rolled-back candidate: the rollout's cohort narrowed to the
 * candidate's agent version. A candidate that runs the baseline's agent version (it differs in
 * prompt or framework only) cannot be told apart by a switch, which covers agents, not variants:
 * its halt is skipped and the variant gate alone refuses its intents (weight 0: every unit is
 * assigned elsewhere).
 */
export function candidateHaltOf(plan: RolloutPlan, variant: string, lease: HaltLease): CandidateHalt {
  const candidate = plan.candidates.find((c) => c.name === variant);
  const version = candidate?.agentVersion;
  if (!version || version === plan.baseline.agentVersion)
    return { variant, killSwitchId: null, skipped: 'the candidate shares the agent version of the baseline' };
  if (plan.selector.agentVersion !== undefined && plan.selector.agentVersion !== version)
    return {
      variant,
      killSwitchId: null,
      skipped: "the cohort names another agent version than the candidate's",
    };
  return { variant, killSwitchId: null, ...lease };
}

/** How long a caller holds a halt's flip: well beyond the halter's own timeout (5 s). */
export const HALT_FLIP_LEASE_MS = 30_000;

export type HaltLease = Required<Pick<CandidateHalt, 'flippingBy' | 'flippingUntil'>>;

/**
 * The lease a rolling-back change gives the halts it creates, in its own transaction: its
 * propagation flips them right after the commit, without another round trip to take a lease.
 * The generation names the change (it grows under the row lock with every change).
 */
export function haltLeaseOf(generation: number, nowMs: number): HaltLease {
  return {
    flippingBy: `generation:${generation}`,
    flippingUntil: new Date(nowMs + HALT_FLIP_LEASE_MS).toISOString(),
  };
}

export function haltSelector(plan: RolloutPlan, variant: string): CohortSelector {
  const candidate = plan.candidates.find((c) => c.name === variant);
  return { ...plan.selector, agentVersion: candidate?.agentVersion };
}

export interface DecidedChange {
  record: RolloutRecord;
  details: TransitionDetails;
  action: RolloutAction;
}

/**
 * One look of the analysis: the library decides, this applies the action to the stored record
 * (a new stratum on every weight change, a halt for a rolled-back candidate). Null on hold.
 */
export function decideAndApply(plan: RolloutPlan, record: RolloutRecord, now: number): DecidedChange | null {
  const { action, analysis } = decideNextAction(plan, record.state, record.stats, now);
  if (action.type === 'hold') return null;
  const state = applyAction(plan, record.state, action, now);
  const stats = structuredClone(record.stats);
  const halts = [...record.halts];
  if (action.type === 'advance' || action.type === 'rollback')
    openStratum(stats, state.stepIndex, state.weights);
  if (action.type === 'rollback')
    halts.push(candidateHaltOf(plan, action.variant, haltLeaseOf(record.generation + 1, now)));
  const next: RolloutRecord = {
    ...record,
    state,
    stats,
    halts,
    generation: record.generation + 1,
    updatedAt: new Date(now).toISOString(),
  };
  return { record: next, action, details: transitionDetails(action, record, analysis) };
}

function transitionDetails(
  action: Exclude<RolloutAction, { type: 'hold' }>,
  before: RolloutRecord,
  analysis: RolloutAnalysis | undefined,
): TransitionDetails {
  const common = { actor: ANALYSIS_ACTOR, fromStatus: before.state.status, analysis };
  switch (action.type) {
    case 'advance':
      return {
        ...common,
        transition: 'advanced',
        reason: `step ${before.state.stepIndex + 1} met its dwell and sample per arm with no harm proven; step ${action.toStep + 1}`,
        evidence: { stepDecisions: analysis?.stepDecisions ?? {} },
      };
    case 'promote':
      return {
        ...common,
        transition: 'promoted',
        variant: action.variant,
        reason: `the last step met its dwell and sample per arm with no harm proven; ${action.variant} serves every unit`,
        evidence: { stepDecisions: analysis?.stepDecisions ?? {} },
      };
    case 'rollback': {
      const h = action.harm;
      return {
        ...common,
        transition: 'rolled_back',
        variant: action.variant,
        reason:
          `${h.title} of ${action.variant} proven worse than the baseline: ` +
          `${fmt(h.candidateValue)} vs ${fmt(h.baselineValue)} ` +
          `(${h.candidateObservations} vs ${h.baselineObservations} observations, effect ≥ ${fmt(h.evidence.lower)})`,
        evidence: { harm: h },
      };
    }
    case 'pause':
      return {
        ...common,
        transition: 'paused',
        reason: 'sample-ratio mismatch: the arms do not receive the shares the weights promise',
        evidence: { srm: action.srm },
      };
    case 'conclude':
      return {
        ...common,
        transition: 'concluded',
        variant: action.winner,
        reason: `${action.winner} proven better on the primary KPI than every other arm`,
        evidence: { primary: analysis?.primary },
      };
  }
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : 'n/a');
