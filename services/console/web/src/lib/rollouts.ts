/**
 * Rollouts page logic: the step line, the arms' weights, the per-arm KPI table with its intervals
 * and the test's state, the decision log and which actions a user may take. Pure, unit-tested.
 *
 * The shapes are the rollout service's HTTP views (`GET /v1/rollouts`, `GET /v1/rollouts/:id`);
 * status and transition names come from @agentops/contracts as types only (erased by esbuild). A
 * number the analysis could not compute (NaN) arrives as JSON `null`.
 */
import type { RolloutTransitionedV1 } from '@agentops/contracts';

export type RolloutStatus = RolloutTransitionedV1['status'];

/** A guardrail test's state, as @agentops/rollout-analysis reports it. */
export type GuardrailStatus = 'insufficient_data' | 'no_harm_proven' | 'harm';

export interface RolloutVariant {
  name: string;
  agentVersion?: string;
  promptId?: string;
  framework?: string;
}

export interface RolloutStep {
  weight: number;
  minDwellMs: number;
  minSamplePerArm: number;
}

export interface RolloutSummary {
  id: string;
  key: string;
  tenantId: string;
  mode: 'canary' | 'experiment';
  status: RolloutStatus;
  pausedReason?: 'srm' | 'manual';
  stepIndex: number;
  steps: RolloutStep[];
  weights: Record<string, number>;
  stepStartedAt: string;
  unitPath: string;
  baseline: RolloutVariant;
  candidates: RolloutVariant[];
  generation: number;
  halts: { variant: string; killSwitchId: string | null; skipped?: string }[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A bound or value as JSON carries it: `null` where the analysis had NaN (no data). */
type Num = number | null;

export interface GuardrailView {
  kpi: string;
  id: string;
  title: string;
  candidate: string;
  status: GuardrailStatus;
  candidateValue: Num;
  baselineValue: Num;
  candidateObservations: number;
  baselineObservations: number;
  evidence: { estimate: Num; lower: Num; upper: Num; scale: 'arcsine' | 'mean' | 'tail-share' };
}

export interface PrimaryView {
  kpi: string;
  id: string;
  title: string;
  arms: { arm: string; value: Num; interval: [Num, Num]; observations: number }[];
  comparisons: { arms: [string, string]; better: string | null; evidence: { lower: Num; upper: Num } }[];
  winner: string | null;
}

export interface TransitionView {
  transition: RolloutTransitionedV1['transition'];
  actor: string;
  reason: string;
  status: RolloutStatus;
  stepIndex: number;
  weights: Record<string, number>;
  variant?: string;
  decisions?: Record<string, number>;
  killSwitchId?: string;
  at: string;
}

export interface RolloutDetail extends RolloutSummary {
  analysis: {
    alpha: number;
    decisions: Record<string, number>;
    stepDecisions: Record<string, number>;
    guardrails: GuardrailView[];
    primary?: PrimaryView;
    srm: { checked: boolean; pValue: number; mismatch: boolean };
  };
  transitions: TransitionView[];
}

export const STATUS_LABEL: Record<RolloutStatus, string> = {
  running: 'Running',
  paused: 'Paused',
  rolled_back: 'Rolled back',
  promoted: 'Promoted',
  concluded: 'Concluded',
};

/** Badge tones of app.css: danger for a rollback, warning while paused, allow when done well. */
export const STATUS_TONE: Record<RolloutStatus, string> = {
  running: 'enforce',
  paused: 'warning',
  rolled_back: 'danger',
  promoted: 'v-allow',
  concluded: 'v-allow',
};

/** "Step 2 of 4 · candidate at 25 %", or for an experiment its fixed split. */
export function stepLine(r: Pick<RolloutSummary, 'mode' | 'stepIndex' | 'steps' | 'weights'>): string {
  if (r.mode === 'experiment') return `Experiment · fixed weights ${weightLine(r.weights)}`;
  const total = Math.max(r.steps.length, 1);
  const step = r.steps[r.stepIndex];
  return `Step ${r.stepIndex + 1} of ${total}${step ? ` · candidate at ${step.weight} %` : ''}`;
}

/** `v1 95 % / v2 5 %`, in the order the weights are given (baseline first, as the service sends them). */
export function weightLine(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([arm, pct]) => `${arm} ${pct} %`)
    .join(' / ');
}

/** The arms in display order: the baseline first, then the candidates, each with its weight. */
export function armWeights(
  r: Pick<RolloutSummary, 'baseline' | 'candidates' | 'weights'>,
): { arm: string; weight: number; baseline: boolean }[] {
  return [r.baseline, ...r.candidates].map((v, i) => ({
    arm: v.name,
    weight: r.weights[v.name] ?? 0,
    baseline: i === 0,
  }));
}

/** What a variant is: its agent version, prompt and framework, whichever it names. */
export function variantLine(v: RolloutVariant): string {
  const parts = [
    v.agentVersion !== undefined ? `version ${v.agentVersion}` : '',
    v.promptId !== undefined ? `prompt ${v.promptId}` : '',
    v.framework !== undefined ? `framework ${v.framework}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : '—';
}

type ValueKind = 'share' | 'ms' | 'number';

/** How a KPI's values read: shares as percentages, latency in ms, amounts as numbers. */
export function kpiKind(kpi: string): ValueKind {
  if (kpi === 'p95_latency') return 'ms';
  return kpi.endsWith('_rate') ? 'share' : 'number';
}

/** A KPI value: `12.3 %`, `180 ms`, `0.0042`; `—` without data. */
export function formatKpi(value: Num | undefined, kind: ValueKind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (kind === 'share') return `${trim(value * 100)} %`;
  if (kind === 'ms') return `${Math.round(value)} ms`;
  return trim(value);
}

/** An effect (difference) in the KPI's unit: shares in percentage points, signed. */
export function formatEffect(value: Num | undefined, kind: ValueKind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const sign = value > 0 ? '+' : value < 0 ? '−' : '';
  const abs = Math.abs(value);
  if (kind === 'share') return `${sign}${trim(abs * 100)} pt`;
  if (kind === 'ms') return `${sign}${Math.round(abs)} ms`;
  return `${sign}${trim(abs)}`;
}

/** `[lo, hi]` with both ends formatted; an open end (no data or unbounded) reads `…`. */
export function formatInterval(lo: Num | undefined, hi: Num | undefined, format: (x: Num) => string): string {
  const end = (x: Num | undefined) =>
    x === null || x === undefined || !Number.isFinite(x) ? '…' : format(x);
  return `[${end(lo)}, ${end(hi)}]`;
}

function trim(x: number): string {
  if (x === 0) return '0';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 1 ? 1 : 3;
  return Number(x.toFixed(digits)).toString();
}

export const TEST_LABEL: Record<GuardrailStatus, string> = {
  insufficient_data: 'Not enough data',
  no_harm_proven: 'No harm proven',
  harm: 'Harm proven',
};

export const TEST_TONE: Record<GuardrailStatus, string> = {
  insufficient_data: 'neutral',
  no_harm_proven: 'v-allow',
  harm: 'danger',
};

export interface KpiRow {
  /** One row per guardrail and arm: the baseline's row first, then the candidate's. */
  key: string;
  kpi: string;
  title: string;
  arm: string;
  baseline: boolean;
  value: string;
  observations: number;
  /** On the candidate's row: the effect against the baseline and its always-valid interval. */
  effect?: string;
  interval?: string;
  test?: GuardrailStatus;
}

/**
 * The guardrail table: for each guardrail KPI the baseline's value and each served candidate's,
 * the candidate's effect (candidate − baseline, positive = worse) with its interval, and the
 * sequential test's state.
 */
export function guardrailRows(guardrails: GuardrailView[]): KpiRow[] {
  const rows: KpiRow[] = [];
  const baselineShown = new Set<string>();
  for (const g of guardrails) {
    const kind = kpiKind(g.kpi);
    if (!baselineShown.has(g.id)) {
      baselineShown.add(g.id);
      rows.push({
        key: `${g.id}/baseline`,
        kpi: g.id,
        title: g.title,
        arm: 'baseline',
        baseline: true,
        value: formatKpi(g.baselineValue, kind),
        observations: g.baselineObservations,
      });
    }
    rows.push({
      key: `${g.id}/${g.candidate}`,
      kpi: g.id,
      title: g.title,
      arm: g.candidate,
      baseline: false,
      value: formatKpi(g.candidateValue, kind),
      observations: g.candidateObservations,
      effect: formatEffect(g.evidence.estimate, kind),
      interval: formatInterval(g.evidence.lower, g.evidence.upper, (x) => formatEffect(x, kind)),
      test: g.status,
    });
  }
  return rows;
}

/** The experiment's primary KPI per arm with its interval, and the winner if the test named one. */
export function primaryRows(
  primary: PrimaryView,
): { arm: string; value: string; interval: string; observations: number; winner: boolean }[] {
  const kind = kpiKind(primary.kpi);
  return primary.arms.map((a) => ({
    arm: a.arm,
    value: formatKpi(a.value, kind),
    interval: formatInterval(a.interval[0], a.interval[1], (x) => formatKpi(x, kind)),
    observations: a.observations,
    winner: primary.winner === a.arm,
  }));
}

/** One line on where the test stands, worst news first. */
export function testSummary(r: Pick<RolloutDetail, 'status' | 'pausedReason' | 'analysis'>): string {
  const harm = r.analysis.guardrails.find((g) => g.status === 'harm');
  if (harm) return `Harm proven: ${harm.title} of ${harm.candidate} is worse than the baseline.`;
  if (r.analysis.srm.mismatch)
    return 'Sample-ratio mismatch: the arms’ counts do not match their weights; the rollout pauses.';
  if (r.analysis.primary?.winner)
    return `Winner: ${r.analysis.primary.winner} on ${r.analysis.primary.title}.`;
  const counted = Object.values(r.analysis.decisions).reduce((s, n) => s + n, 0);
  if (!counted) return 'No decision counted yet.';
  if (r.analysis.guardrails.every((g) => g.status === 'insufficient_data'))
    return `Not enough data yet (${counted} decisions).`;
  return `No harm proven so far (${counted} decisions, α = ${r.analysis.alpha}).`;
}

export type RolloutActionName = 'pause' | 'resume' | 'promote' | 'rollback';

/** Who may act on rollouts (the rollout service checks it again). */
export const ACTING_ROLES = ['sre', 'admin'];

/** The actions a user may take on a rollout in its status: none once it has finished. */
export function availableActions(status: RolloutStatus, roles: string[]): RolloutActionName[] {
  if (!roles.some((r) => ACTING_ROLES.includes(r))) return [];
  if (status === 'running') return ['pause', 'promote', 'rollback'];
  if (status === 'paused') return ['resume', 'promote', 'rollback'];
  return [];
}

export const ACTION_LABEL: Record<RolloutActionName, string> = {
  pause: 'Pause',
  resume: 'Resume',
  promote: 'Promote',
  rollback: 'Roll back',
};

/** What the confirmation says an action does. */
export function actionConsequence(action: RolloutActionName, r: Pick<RolloutSummary, 'key' | 'candidates'>) {
  switch (action) {
    case 'pause':
      return `Pause ${r.key}: its weights hold; a proven harm still rolls it back.`;
    case 'resume':
      return `Resume ${r.key}: the analysis advances its steps again.`;
    case 'promote':
      return `Promote ${r.candidates.map((c) => c.name).join(' or ')} in ${r.key} to every unit (final).`;
    case 'rollback':
      return `Roll back ${r.key}: the baseline serves every unit and the candidates are halted by a kill switch (final).`;
  }
}

export const TRANSITION_LABEL: Record<TransitionView['transition'], string> = {
  applied: 'applied',
  advanced: 'step advanced',
  paused: 'paused',
  resumed: 'resumed',
  promoted: 'promoted',
  rolled_back: 'rolled back',
  concluded: 'concluded',
};

/**
 * The decision log, newest first (the service lists transitions in the order they were stored),
 * each entry with the decisions counted when it happened.
 */
export function decisionLog(
  transitions: TransitionView[],
): (TransitionView & { label: string; counted: number; automatic: boolean })[] {
  return [...transitions].reverse().map((t) => ({
    ...t,
    label: TRANSITION_LABEL[t.transition] ?? t.transition,
    counted: Object.values(t.decisions ?? {}).reduce((s, n) => s + n, 0),
    automatic: t.actor === 'analysis',
  }));
}
