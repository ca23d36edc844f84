import type { AgentRole, AgentScopes } from '@agentops/contracts';

/** The agent as ingest authenticated it (never as it claims), with its scopes when it has its own. */
export interface AgentRef {
  id: string;
  tenantId: string;
  role: AgentRole;
  version: string;
  scopes?: AgentScopes;
}

/** Counts learned per business intent (the normalisation that keeps a 5× sales peak quiet). */
export const RATIO_FEATURES = ['records', 'subjects', 'reads'] as const;
export type RatioFeature = (typeof RATIO_FEATURES)[number];

/**
 * What an anomaly is about: records read, distinct customers (`subjects`), read calls, data
 * classes touched, first-seen sources, egress destinations, time of day.
 */
export type AccessFeature = RatioFeature | 'data_classes' | 'sources' | 'egress_destinations' | 'time_of_day';

export type AccessDetector =
  'ewma' | 'robust' | 'cusum' | 'ceiling' | 'scope' | 'first_seen' | 'time_of_day' | 'silence' | 'flow_rule';

export type AccessSeverity = 'low' | 'medium' | 'high';

/** Whose history the observation was compared with. */
export type BaselineSource = 'agent' | 'cohort' | 'role' | 'scope' | 'rule';

/**
 * One explained anomaly: which feature, against which baseline, by how much, over which window.
 * `high` is what containment acts on (quarantine and a security review task).
 */
export interface AccessAnomaly {
  agentId: string;
  tenantId: string;
  role: AgentRole;
  version: string;
  feature: AccessFeature;
  detector: AccessDetector;
  severity: AccessSeverity;
  /** What was seen over the window (a count, a z-score's numerator, a share). */
  observed: number;
  /** What the baseline expected for the same window (0 for a rule or a first sighting). */
  baseline: number;
  /** How far: a z-score, a CUSUM statistic, a ratio to a ceiling, or 1 for a rule. */
  deviation: number;
  baselineFrom: BaselineSource;
  window: { startMs: number; endMs: number; intents: number };
  /** When it was detected (epoch ms of the event that completed the evidence). */
  at: number;
  message: string;
}
