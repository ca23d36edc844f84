import type { CohortSelector, RolloutChangedV1 } from '@agentops/contracts';
import { CohortMember, selectorCovers } from '@agentops/cohort-selector';
import { assignmentBucket, armForBucket, bucketLayout, readUnit } from './assignment';

/** What an assignment point knows of a rollout: the compacted topic's record. */
export type ServedRollout = Pick<
  RolloutChangedV1,
  'key' | 'tenantId' | 'unitPath' | 'salt' | 'baseline' | 'candidates' | 'status' | 'weights' | 'generation'
> & { selector: CohortSelector };

export interface VariantClaim {
  action: string;
  params?: Record<string, unknown>;
  target?: unknown;
  agent: CohortMember;
  variant?: { rollout: string; name: string };
}

export type VariantCheck =
  | { ok: true; arm?: string }
  | {
      ok: false;
      reason: 'rollout_unknown' | 'rollout_not_in_cohort' | 'rollout_variant_mismatch';
      message: string;
    };

/** The arm a unit runs in a served rollout (the SDK computes exactly this). */
export function servedArm(rollout: ServedRollout, unit: string): string {
  const layout = bucketLayout(
    rollout.baseline.name,
    rollout.candidates.map((c) => c.name),
    rollout.weights,
  );
  return armForBucket(layout, assignmentBucket(rollout.salt, rollout.key, unit));
}

/**
 * Whether the variant an intent says it ran is its unit's assignment now. An intent naming no
 * variant is not checked. A variant of a rollout the tenant does not run, of a rollout whose cohort
 * the intent is not in, or another arm than the unit's (a rolled-back candidate's weight is 0, so
 * every unit is assigned elsewhere) is refused with a named reason.
 */
export function checkIntentVariant(rollouts: Iterable<ServedRollout>, intent: VariantClaim): VariantCheck {
  const claim = intent.variant;
  if (!claim) return { ok: true };
  let rollout: ServedRollout | undefined;
  for (const r of rollouts)
    if (
      r.tenantId === intent.agent.tenantId &&
      r.key === claim.rollout &&
      (!rollout || r.generation > rollout.generation)
    )
      rollout = r;
  if (!rollout)
    return {
      ok: false,
      reason: 'rollout_unknown',
      message: `no rollout ${claim.rollout} in tenant ${intent.agent.tenantId}`,
    };
  const unit = readUnit(intent, rollout.unitPath);
  if (!selectorCovers(rollout.selector, intent.agent, intent.action) || unit === undefined)
    return {
      ok: false,
      reason: 'rollout_not_in_cohort',
      message: `intent is not in the cohort of rollout ${rollout.key} (or has no ${rollout.unitPath})`,
    };
  const arm = servedArm(rollout, unit);
  if (arm !== claim.name)
    return {
      ok: false,
      reason: 'rollout_variant_mismatch',
      message: `rollout ${rollout.key} assigns ${rollout.unitPath} ${unit} to ${arm}, not ${claim.name} (${rollout.status})`,
    };
  return { ok: true, arm };
}
