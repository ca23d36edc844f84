import { IntentProposedV1 } from '@agentops/contracts';
import { DecisionBody, rolloutVariantDenial } from '@agentops/decisions';
import { checkIntentVariant } from '@agentops/rollout-analysis';
import { RolloutFollower } from '@agentops/rollout-client';
import { Injectable } from '@nestjs/common';

/**
 * The variant gate: an intent that says it ran a rollout variant other than its unit's
 * assignment is denied (`agentops.rollout-variant`, reason `rollout_variant_mismatch`), so a
 * rolled-back candidate's in-flight intents are refused the moment its weight reaches 0 here.
 * Reads the in-memory rollout state only (`RolloutFollower`, loaded before intents are consumed):
 * a check is a lookup and one SHA-256, no I/O.
 */
@Injectable()
export class RolloutVariantGate {
  constructor(private readonly rollouts: RolloutFollower) {}

  /** The denial for a mismatched variant, or null. */
  check(intent: IntentProposedV1): DecisionBody | null {
    if (!intent.variant) return null;
    // Never decide a variant on an unknown rollout state; the consumer loop retries (transient).
    if (!this.rollouts.isLoaded) throw new Error('rollout state not loaded yet');
    const verdict = checkIntentVariant(this.rollouts.all(), intent);
    return verdict.ok ? null : rolloutVariantDenial(verdict.reason, verdict.message);
  }
}
