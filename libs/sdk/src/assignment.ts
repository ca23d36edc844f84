import { createHash } from 'node:crypto';
import type { RolloutConfig, VariantAssignment } from './types';

/**
 * The platform's assignment, reimplemented here (the SDK imports no domain lib; golden vectors
 * in libs/rollout-analysis/src/assignment-vectors.json keep the two equal): bucket = first 4 bytes
 * of SHA-256(`salt:rolloutKey:unit`) as a big-endian uint32, mod 10 000; candidates take the low
 * buckets in declared order (weight in basis points each), the baseline the rest.
 */
export function assignmentBucket(salt: string, rolloutKey: string, unit: string): number {
  return (
    createHash('sha256').update(`${salt}:${rolloutKey}:${unit}`, 'utf8').digest().readUInt32BE(0) % 10_000
  );
}

export function assignVariant(rollout: RolloutConfig, unit: string): VariantAssignment {
  const bucket = assignmentBucket(rollout.salt, rollout.key, unit);
  let upper = 0;
  for (const c of rollout.candidates) {
    const bp = Math.round((rollout.weights[c.name] ?? 0) * 100);
    if (bp <= 0) continue;
    upper = Math.min(10_000, upper + bp);
    if (bucket < upper) return { ...c, rollout: rollout.key };
  }
  return { ...rollout.baseline, rollout: rollout.key };
}
