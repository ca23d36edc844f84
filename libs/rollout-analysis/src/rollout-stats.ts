import { z } from 'zod';
import { ArmStats, IntentFact, emptyArmStats, mergeArmStats, recordFact } from './arm-stats';
import { ArmWeights } from './assignment';
import { LATENCY_BUCKETS } from './latency-histogram';

/**
 * A rollout's evidence, split into strata: one per period of constant weights (a canary step, or
 * an experiment before and after a candidate was rolled back). Arms are only ever compared
 * within a stratum and the strata then combined, so a ramp from 10 % to 50 % does not mix
 * traffic of different periods in different proportions (Simpson's paradox when the baseline
 * rate drifts with the time of day), and the sample-ratio check knows each period's weights.
 *
 * A fact belongs to the stratum whose weights assigned the intent; the service opens a new
 * stratum when weights change and files late facts by the step the intent ran under.
 */
export interface Stratum {
  /** 0, 1, 2 … in the order strata were opened. */
  id: number;
  /** The canary step the weights belong to (0 for an experiment). */
  step: number;
  weights: ArmWeights;
  arms: Record<string, ArmStats>;
}

export interface RolloutStats {
  version: 1;
  strata: Stratum[];
}

export function emptyRolloutStats(): RolloutStats {
  return { version: 1, strata: [] };
}

function sameWeights(a: ArmWeights, b: ArmWeights): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if ((a[k] ?? 0) !== (b[k] ?? 0)) return false;
  return true;
}

/**
 * The stratum for `step` at `weights`: the current one if nothing changed, else a new one. Arms
 * with weight 0 get no accumulator (their late intents are not part of the comparison).
 */
export function openStratum(stats: RolloutStats, step: number, weights: ArmWeights): Stratum {
  const last = stats.strata[stats.strata.length - 1];
  if (last && last.step === step && sameWeights(last.weights, weights)) return last;
  const arms: Record<string, ArmStats> = {};
  for (const [arm, w] of Object.entries(weights)) if (w > 0) arms[arm] = emptyArmStats();
  const stratum: Stratum = { id: stats.strata.length, step, weights: { ...weights }, arms };
  stats.strata.push(stratum);
  return stratum;
}

export function currentStratum(stats: RolloutStats): Stratum | undefined {
  return stats.strata[stats.strata.length - 1];
}

/**
 * Records a fact of `arm` into the stratum `stratumId` (the current one by default). Returns
 * false, recording nothing, when that arm is not served in that stratum (e.g. a rolled-back
 * candidate's in-flight intents).
 */
export function recordArmFact(
  stats: RolloutStats,
  arm: string,
  fact: IntentFact,
  stratumId?: number,
): boolean {
  const stratum = stratumId === undefined ? currentStratum(stats) : stats.strata[stratumId];
  const acc = stratum?.arms[arm];
  if (!acc) return false;
  recordFact(acc, fact);
  return true;
}

/**
 * Adds two partial accumulations of the same rollout (strata matched by id). Strata with the
 * same id must have the same step and weights — they come from one sequence of transitions.
 */
export function mergeRolloutStats(a: RolloutStats, b: RolloutStats): RolloutStats {
  const strata: Stratum[] = [];
  const count = Math.max(a.strata.length, b.strata.length);
  for (let id = 0; id < count; id++) {
    const x = a.strata[id];
    const y = b.strata[id];
    if (!x || !y) {
      strata.push(cloneStratum((x ?? y)!));
      continue;
    }
    if (x.step !== y.step || !sameWeights(x.weights, y.weights))
      throw new RolloutStatsMismatchError(`stratum ${id}: step or weights differ between the accumulations`);
    const arms: Record<string, ArmStats> = {};
    for (const arm of new Set([...Object.keys(x.arms), ...Object.keys(y.arms)]))
      arms[arm] = mergeArmStats(x.arms[arm] ?? emptyArmStats(), y.arms[arm] ?? emptyArmStats());
    strata.push({ id, step: x.step, weights: { ...x.weights }, arms });
  }
  return { version: 1, strata };
}

function cloneStratum(s: Stratum): Stratum {
  const arms: Record<string, ArmStats> = {};
  for (const [arm, acc] of Object.entries(s.arms)) arms[arm] = mergeArmStats(acc, emptyArmStats());
  return { id: s.id, step: s.step, weights: { ...s.weights }, arms };
}

export class RolloutStatsMismatchError extends Error {
  readonly code = 'rollout_stats_mismatch';
}

/** All strata of an arm added together (for per-arm summaries; tests compare within strata). */
export function armTotals(stats: RolloutStats, arm: string, filter?: (s: Stratum) => boolean): ArmStats {
  let total = emptyArmStats();
  for (const s of stats.strata)
    if (s.arms[arm] && (!filter || filter(s))) total = mergeArmStats(total, s.arms[arm]);
  return total;
}

// ---- Storage ----------------------------------------------------------------------------------

const Count = z.number().int().nonnegative();
const MomentsSchema = z
  .object({ n: Count, mean: z.number().finite(), m2: z.number().finite().nonnegative() })
  .strict();
const ArmStatsSchema = z
  .object({
    decisions: Count,
    denies: Count,
    escalations: Count,
    failClosed: Count,
    halts: Count,
    humanResolutions: Count,
    humanRejections: Count,
    verifications: Count,
    violations: Count,
    latency: z.array(Count).max(LATENCY_BUCKETS),
    cost: MomentsSchema,
    tokens: MomentsSchema,
    value: z.record(z.string(), MomentsSchema),
  })
  .strict();
const RolloutStatsSchema = z
  .object({
    version: z.literal(1),
    strata: z.array(
      z
        .object({
          id: Count,
          step: Count,
          weights: z.record(z.string(), z.number().min(0).max(100)),
          arms: z.record(z.string(), ArmStatsSchema),
        })
        .strict(),
    ),
  })
  .strict();

/** The JSON the service stores: the accumulators as they are (plain numbers). */
export function serialiseRolloutStats(stats: RolloutStats): string {
  return JSON.stringify(stats);
}

export class InvalidRolloutStatsError extends Error {
  readonly code = 'invalid_rollout_stats';
}

/**
 * Reads stored accumulators back, refusing anything malformed (a corrupted row must stop the
 * analysis loudly, not silently restart the counts from zero).
 */
export function parseRolloutStats(json: string | unknown): RolloutStats {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new InvalidRolloutStatsError(`stored rollout stats are not JSON: ${(e as Error).message}`);
    }
  }
  const parsed = RolloutStatsSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new InvalidRolloutStatsError(
      `stored rollout stats invalid at ${first.path.join('.') || '(root)'}: ${first.message}`,
    );
  }
  parsed.data.strata.forEach((s, i) => {
    if (s.id !== i) throw new InvalidRolloutStatsError(`stored rollout stats: stratum ${i} has id ${s.id}`);
    for (const arm of Object.values(s.arms)) while (arm.latency.length < LATENCY_BUCKETS) arm.latency.push(0);
  });
  return parsed.data as RolloutStats;
}
