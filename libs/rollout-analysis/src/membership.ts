import { CohortMember, selectorCovers } from '@agentops/cohort-selector';
import { ArmWeights, assignmentBucket, armForBucket, bucketLayout, readUnit } from './assignment';
import { RolloutPlan } from './rollout-spec';

/** The intent facts a rollout looks at: who proposes, what, and where its unit is. */
export interface RolloutIntent {
  action: string;
  params?: Record<string, unknown>;
  target?: unknown;
  agent: CohortMember;
}

export interface IntentAssignment {
  unit: string;
  bucket: number;
  /** The arm the unit runs under these weights. */
  arm: string;
}

/**
 * Whether an intent is part of the rollout — its agent and action in the cohort (tenant +
 * selector) and a unit at the rollout's path — and, if so, the arm its unit is assigned to. This
 * is the check behind "an intent whose variant does not match its unit's assignment is denied".
 */
export function assignIntent(
  plan: RolloutPlan,
  weights: ArmWeights,
  salt: string,
  intent: RolloutIntent,
): IntentAssignment | undefined {
  if (!selectorCovers(plan.selector, intent.agent, intent.action)) return undefined;
  const unit = readUnit(intent, plan.unitPath);
  if (unit === undefined) return undefined;
  const bucket = assignmentBucket(salt, plan.key, unit);
  const layout = bucketLayout(
    plan.baseline.name,
    plan.candidates.map((c) => c.name),
    weights,
  );
  return { unit, bucket, arm: armForBucket(layout, bucket) };
}
