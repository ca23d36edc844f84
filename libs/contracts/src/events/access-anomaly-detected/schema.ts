import { z } from 'zod';
import { AgentRole, Identifier } from '../common/schema';

export const AccessAnomalyDetectedType = 'agentops.access.anomaly.detected.v1' as const;

export const AccessFeatureName = z.enum([
  'records',
  'subjects',
  'reads',
  'data_classes',
  'sources',
  'egress_destinations',
  'time_of_day',
]);
export const AccessDetectorName = z.enum([
  'ewma',
  'robust',
  'cusum',
  'ceiling',
  'scope',
  'first_seen',
  'time_of_day',
  'silence',
  'flow_rule',
]);
export const AccessSeverityName = z.enum(['low', 'medium', 'high']);
export type AccessSeverityName = z.infer<typeof AccessSeverityName>;

/**
 * One explained anomaly of an agent's data access (issue #17): which feature, against whose
 * baseline, by how much, over which window, how severe. A `high` one quarantines the agent: the
 * kill switch on its id is named here once it is flipped.
 */
export const AccessAnomalyDetectedV1 = z.object({
  anomalyId: z.string().uuid(),
  agentId: Identifier,
  tenantId: Identifier,
  role: AgentRole,
  version: z.string().max(50),
  feature: AccessFeatureName,
  detector: AccessDetectorName,
  severity: AccessSeverityName,
  /** What was seen over the window (a count, a share). */
  observed: z.number().finite(),
  /** What the baseline expected over the same window (0 for a rule or a first sighting). */
  baseline: z.number().finite(),
  /** How far: a z-score, a CUSUM statistic, a ratio to a ceiling, or 1 for a rule. */
  deviation: z.number().finite(),
  baselineFrom: z.enum(['agent', 'cohort', 'role', 'scope', 'rule']),
  window: z.object({
    start: z.string().datetime({ offset: true }),
    end: z.string().datetime({ offset: true }),
    intents: z.number().int().nonnegative(),
  }),
  detectedAt: z.string().datetime({ offset: true }),
  message: z.string().min(1).max(2000),
  /** The event (telemetry or intent) that completed the evidence. */
  causationEventId: z.string().uuid().optional(),
  /** The kill switch that quarantines the agent, for a high anomaly. */
  quarantine: z.object({ switchId: z.string().uuid() }).optional(),
});
export type AccessAnomalyDetectedV1 = z.infer<typeof AccessAnomalyDetectedV1>;
