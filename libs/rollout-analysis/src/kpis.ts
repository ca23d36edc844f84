/**
 * The KPIs a rollout may guard or optimise, where each comes from, and which way is worse.
 *
 * Rates are counts over a denominator (decisions, resolved escalations, verifications); means
 * are per-intent amounts (cost and tokens from telemetry, business value from the outcome);
 * the latency KPI is the p95 of decision latency, tested through the share of slow decisions.
 */
export const KPI_NAMES = [
  'deny_rate',
  'escalation_rate',
  'human_rejection_rate',
  'verification_violation_rate',
  'fail_closed_rate',
  'halt_rate',
  'p95_latency',
  'cost_per_intent',
  'tokens_per_intent',
  'business_value',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

export type KpiKind = 'rate' | 'mean' | 'latency';

/** Which way of moving is harm: `increase` for a deny rate, `decrease` for margin. */
export type HarmDirection = 'increase' | 'decrease';

export interface KpiDefinition {
  name: KpiName;
  kind: KpiKind;
  title: string;
  /** What is counted or averaged, in words, for reports. */
  measures: string;
  unit: 'share' | 'ms' | 'USD' | 'tokens' | 'value';
  harm: HarmDirection;
  /** The harm the test is tuned to catch fastest when the rollout does not say. */
  defaultMinimumEffect: EffectAmount;
}

/** An amount in the KPI's own unit, or relative to the baseline arm (`{ relative: 0.1 }` = 10 %). */
export type EffectAmount = { absolute: number } | { relative: number };

export const KPIS: Record<KpiName, KpiDefinition> = {
  deny_rate: {
    name: 'deny_rate',
    kind: 'rate',
    title: 'deny rate',
    measures: 'policy denials per decided intent',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.02 },
  },
  escalation_rate: {
    name: 'escalation_rate',
    kind: 'rate',
    title: 'escalation rate',
    measures: 'escalations to a human per decided intent',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.02 },
  },
  human_rejection_rate: {
    name: 'human_rejection_rate',
    kind: 'rate',
    title: 'human rejection rate',
    measures: 'rejections per escalation a human resolved',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.05 },
  },
  verification_violation_rate: {
    name: 'verification_violation_rate',
    kind: 'rate',
    title: 'verification violation rate',
    measures: 'outcomes that broke their decision, per verified outcome',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.01 },
  },
  fail_closed_rate: {
    name: 'fail_closed_rate',
    kind: 'rate',
    title: 'fail-closed rate',
    measures: 'decisions that timed out (fail-closed) per decided intent',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.01 },
  },
  halt_rate: {
    name: 'halt_rate',
    kind: 'rate',
    title: 'kill-switch/breaker halt rate',
    measures: 'intents refused by a kill switch or breaker per decided intent',
    unit: 'share',
    harm: 'increase',
    defaultMinimumEffect: { absolute: 0.01 },
  },
  p95_latency: {
    name: 'p95_latency',
    kind: 'latency',
    title: 'p95 decision latency',
    measures: 'time from proposal to first decision',
    unit: 'ms',
    harm: 'increase',
    defaultMinimumEffect: { relative: 0.2 },
  },
  cost_per_intent: {
    name: 'cost_per_intent',
    kind: 'mean',
    title: 'cost per intent',
    measures: 'model and tool cost reported in telemetry per intent',
    unit: 'USD',
    harm: 'increase',
    defaultMinimumEffect: { relative: 0.1 },
  },
  tokens_per_intent: {
    name: 'tokens_per_intent',
    kind: 'mean',
    title: 'tokens per intent',
    measures: 'model tokens reported in telemetry per intent',
    unit: 'tokens',
    harm: 'increase',
    defaultMinimumEffect: { relative: 0.1 },
  },
  business_value: {
    name: 'business_value',
    kind: 'mean',
    title: 'business value',
    measures: 'the outcome value at the declared path (e.g. margin) per reported outcome',
    unit: 'value',
    harm: 'decrease',
    defaultMinimumEffect: { relative: 0.05 },
  },
};

export function isKpiName(name: string): name is KpiName {
  return (KPI_NAMES as readonly string[]).includes(name);
}
