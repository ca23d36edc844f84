import { GuardrailResult, RolloutAnalysis, analyseRollout } from './analysis';
import { ArmWeights } from './assignment';
import { RolloutPlan } from './rollout-spec';
import { RolloutStats } from './rollout-stats';
import { SrmResult } from './srm';

/**
 * What a rollout does next, decided from its plan, its state and its numbers at time `now` —
 * no I/O and no clock of its own, so the service, a replay of stored events and the bench all
 * reach the same decision. The service executes the action (weights, kill switch, event).
 *
 * Order of precedence, on every call:
 *  1. a finished rollout (rolled back, promoted, concluded) only holds;
 *  2. proven harm on any guardrail of a served candidate rolls that candidate back — also while
 *     paused, since rolling back only lowers risk;
 *  3. a sample-ratio mismatch pauses a running rollout (its numbers cannot be trusted);
 *  4. a paused rollout holds until a human resumes it;
 *  5. canary: once the step's dwell and per-arm sample are met, advance (or promote after the
 *     last step); experiment: conclude once the primary's sequential test names a winner and
 *     the minimum sample and duration are met.
 */
export type RolloutStatus = 'running' | 'paused' | 'rolled_back' | 'promoted' | 'concluded';

export interface RolloutState {
  status: RolloutStatus;
  /** Canary step (0-based); 0 for an experiment. */
  stepIndex: number;
  /** Epoch ms when the current step (or the experiment) started: dwell counts from here. */
  stepStartedAt: number;
  /** Percent per arm, as served now. */
  weights: ArmWeights;
  pausedReason?: 'srm' | 'manual';
}

export type RolloutAction =
  | { type: 'hold'; reasons: string[] }
  | { type: 'advance'; toStep: number; weights: ArmWeights }
  | { type: 'promote'; variant: string; weights: ArmWeights }
  | { type: 'rollback'; variant: string; weights: ArmWeights; harm: GuardrailResult }
  | { type: 'pause'; reason: 'srm'; srm: SrmResult }
  | { type: 'conclude'; winner: string; weights: ArmWeights };

export interface RolloutDecision {
  action: RolloutAction;
  analysis?: RolloutAnalysis;
}

/** The weights of a canary step: the candidate at the step's weight, the baseline the rest. */
export function stepWeights(plan: RolloutPlan, stepIndex: number): ArmWeights {
  if (plan.mode === 'experiment') return { ...plan.experiment!.weights };
  const w = plan.steps[stepIndex].weight;
  return { [plan.baseline.name]: round2(100 - w), [plan.candidates[0].name]: w };
}

export function initialState(plan: RolloutPlan, now: number): RolloutState {
  return { status: 'running', stepIndex: 0, stepStartedAt: now, weights: stepWeights(plan, 0) };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const TERMINAL: RolloutStatus[] = ['rolled_back', 'promoted', 'concluded'];

export function decideNextAction(
  plan: RolloutPlan,
  state: RolloutState,
  stats: RolloutStats,
  now: number,
): RolloutDecision {
  if (TERMINAL.includes(state.status))
    return { action: { type: 'hold', reasons: [`rollout is ${state.status}`] } };
  const analysis = analyseRollout(plan, stats, { weights: state.weights, step: state.stepIndex });

  const harm = mostHarmful(analysis.guardrails);
  if (harm)
    return {
      action: {
        type: 'rollback',
        variant: harm.candidate,
        weights: withoutArm(plan, state.weights, harm.candidate),
        harm,
      },
      analysis,
    };

  if (state.status === 'running' && analysis.srm.mismatch)
    return { action: { type: 'pause', reason: 'srm', srm: analysis.srm }, analysis };
  if (state.status === 'paused')
    return {
      action: { type: 'hold', reasons: [`paused (${state.pausedReason ?? 'manual'}); resume to continue`] },
      analysis,
    };

  return {
    action:
      plan.mode === 'canary'
        ? canaryProgress(plan, state, analysis, now)
        : experimentProgress(plan, state, analysis, now),
    analysis,
  };
}

/** The harmful result with the strongest evidence, if any. */
function mostHarmful(results: GuardrailResult[]): GuardrailResult | undefined {
  let best: GuardrailResult | undefined;
  for (const r of results)
    if (
      r.status === 'harm' &&
      (!best || r.evidence.logE - r.evidence.logThreshold > best.evidence.logE - best.evidence.logThreshold)
    )
      best = r;
  return best;
}

/** Weights with `arm` at 0 and its share given to the baseline. */
function withoutArm(plan: RolloutPlan, weights: ArmWeights, arm: string): ArmWeights {
  const out = { ...weights };
  out[plan.baseline.name] = round2((out[plan.baseline.name] ?? 0) + (out[arm] ?? 0));
  out[arm] = 0;
  return out;
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s % 60}s`;
}

function sampleShortfalls(
  plan: RolloutPlan,
  state: RolloutState,
  needed: number,
  counts: Record<string, number>,
): string[] {
  return plan.arms
    .filter((arm) => (state.weights[arm] ?? 0) > 0 && (counts[arm] ?? 0) < needed)
    .map((arm) => `sample of ${arm} ${counts[arm] ?? 0}/${needed}`);
}

function canaryProgress(
  plan: RolloutPlan,
  state: RolloutState,
  analysis: RolloutAnalysis,
  now: number,
): RolloutAction {
  const step = plan.steps[state.stepIndex];
  const reasons: string[] = [];
  const dwelt = now - state.stepStartedAt;
  if (dwelt < step.minDwellMs)
    reasons.push(`dwell ${formatDuration(dwelt)} of ${formatDuration(step.minDwellMs)}`);
  reasons.push(...sampleShortfalls(plan, state, step.minSamplePerArm, analysis.stepDecisions));
  if (reasons.length) return { type: 'hold', reasons };
  const candidate = plan.candidates[0].name;
  if (state.stepIndex + 1 < plan.steps.length)
    return { type: 'advance', toStep: state.stepIndex + 1, weights: stepWeights(plan, state.stepIndex + 1) };
  return { type: 'promote', variant: candidate, weights: { [plan.baseline.name]: 0, [candidate]: 100 } };
}

function experimentProgress(
  plan: RolloutPlan,
  state: RolloutState,
  analysis: RolloutAnalysis,
  now: number,
): RolloutAction {
  const exp = plan.experiment!;
  const reasons: string[] = [];
  const ran = now - state.stepStartedAt;
  if (ran < exp.minDurationMs)
    reasons.push(`duration ${formatDuration(ran)} of ${formatDuration(exp.minDurationMs)}`);
  reasons.push(...sampleShortfalls(plan, state, exp.minSamplePerArm, analysis.decisions));
  const winner = analysis.primary?.winner ?? null;
  if (!winner) reasons.push(`no winner on ${exp.primary.id} yet`);
  if (reasons.length || !winner) return { type: 'hold', reasons };
  return { type: 'conclude', winner, weights: { ...state.weights } };
}

/** The state after the service carried out `action` at `now`. */
export function applyAction(
  plan: RolloutPlan,
  state: RolloutState,
  action: RolloutAction,
  now: number,
): RolloutState {
  switch (action.type) {
    case 'hold':
      return state;
    case 'advance':
      return { ...state, stepIndex: action.toStep, stepStartedAt: now, weights: action.weights };
    case 'promote':
      return { ...state, status: 'promoted', weights: action.weights, pausedReason: undefined };
    case 'rollback': {
      const remaining = plan.candidates.some((c) => (action.weights[c.name] ?? 0) > 0);
      return { ...state, status: remaining ? state.status : 'rolled_back', weights: action.weights };
    }
    case 'pause':
      return { ...state, status: 'paused', pausedReason: 'srm' };
    case 'conclude':
      return { ...state, status: 'concluded' };
  }
}

/** A human's pause (roles sre/admin, checked by the service). */
export function pauseRollout(state: RolloutState): RolloutState {
  return TERMINAL.includes(state.status) ? state : { ...state, status: 'paused', pausedReason: 'manual' };
}

/** A human's resume: the step's dwell keeps counting from when the step started. */
export function resumeRollout(state: RolloutState): RolloutState {
  return state.status === 'paused' ? { ...state, status: 'running', pausedReason: undefined } : state;
}

/** A human's rollback of every candidate: the baseline serves everything. */
export function rollBackRollout(plan: RolloutPlan, state: RolloutState): RolloutState {
  if (TERMINAL.includes(state.status)) return state;
  const weights: ArmWeights = { [plan.baseline.name]: 100 };
  for (const c of plan.candidates) weights[c.name] = 0;
  return { ...state, status: 'rolled_back', weights, pausedReason: undefined };
}

/** A human's promotion of one candidate to 100 %. */
export function promoteRollout(plan: RolloutPlan, state: RolloutState, variant: string): RolloutState {
  if (TERMINAL.includes(state.status) || !plan.candidates.some((c) => c.name === variant)) return state;
  const weights: ArmWeights = { [plan.baseline.name]: 0 };
  for (const c of plan.candidates) weights[c.name] = c.name === variant ? 100 : 0;
  return { ...state, status: 'promoted', weights, pausedReason: undefined };
}
