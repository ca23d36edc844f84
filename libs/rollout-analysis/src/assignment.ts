import { createHash } from 'node:crypto';

/**
 * Which arm serves a unit: deterministic across instances, restarts and languages.
 *
 * The specification (the SDK reimplements exactly this; `assignment-vectors.json` holds golden
 * vectors both sides test against):
 *   1. input  = UTF-8 bytes of `${salt}:${rolloutKey}:${unit}`
 *   2. digest = SHA-256(input)
 *   3. bucket = (first 4 bytes of digest, as an unsigned 32-bit big-endian integer) mod 10000
 *   4. arms take consecutive bucket ranges in basis points, candidates first in declared order,
 *      the baseline the rest: with candidate weight 10 %, buckets 0–999 are the candidate.
 * Because candidates own the *low* buckets, raising a candidate's weight only adds units to it:
 * a unit that was on the candidate at 10 % stays there at 25 % (no unit flips back and forth).
 * A new salt (a restarted rollout) re-randomises every unit. The modulo bias of 2³² mod 10⁴ is
 * below 3·10⁻⁶ relative per bucket.
 */
export const BUCKETS = 10_000;

export function assignmentBucket(salt: string, rolloutKey: string, unit: string): number {
  const digest = createHash('sha256').update(`${salt}:${rolloutKey}:${unit}`, 'utf8').digest();
  return digest.readUInt32BE(0) % BUCKETS;
}

/** Percent per arm. */
export type ArmWeights = Record<string, number>;

/** Basis points per arm, in bucket order (candidates first, baseline last). */
export interface BucketLayout {
  arms: string[];
  /** Exclusive upper bucket of each arm, cumulative. */
  upper: number[];
}

/**
 * Lays arms out over the buckets. `candidates` in declared order take the low buckets; the baseline
 * takes whatever the candidates leave. Weights are rounded to basis points.
 */
export function bucketLayout(baseline: string, candidates: string[], weights: ArmWeights): BucketLayout {
  const arms: string[] = [];
  const upper: number[] = [];
  let cumulative = 0;
  for (const c of candidates) {
    const bp = Math.round((weights[c] ?? 0) * 100);
    if (bp <= 0) continue;
    cumulative = Math.min(BUCKETS, cumulative + bp);
    arms.push(c);
    upper.push(cumulative);
  }
  arms.push(baseline);
  upper.push(BUCKETS);
  return { arms, upper };
}

export function armForBucket(layout: BucketLayout, bucket: number): string {
  for (let i = 0; i < layout.upper.length; i++) if (bucket < layout.upper[i]) return layout.arms[i];
  return layout.arms[layout.arms.length - 1];
}

/** The arm a unit runs, from the rollout's salt, key and current weights. */
export function assignArm(salt: string, rolloutKey: string, unit: string, layout: BucketLayout): string {
  return armForBucket(layout, assignmentBucket(salt, rolloutKey, unit));
}

/**
 * The unit an intent names at the rollout's path (`params.sku`, `target.id`): strings as they are,
 * finite numbers and booleans in their JSON spelling; anything else (absent, object, null) has no
 * unit, and such an intent is not part of the rollout.
 */
export function readUnit(
  intent: { params?: Record<string, unknown>; target?: unknown },
  path: string,
): string | undefined {
  const value = readPath(intent, path);
  if (typeof value === 'string') return value.length ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Follows a dotted path through plain objects; arrays and prototypes are not traversed. */
export function readPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
