/**
 * A fixed-bucket latency histogram: bucket 0 holds [0, 0.25 ms), bucket k ≥ 1 holds
 * [0.25·2^((k−1)/8), 0.25·2^(k/8)) ms — eight buckets per doubling, each about 9 % wide — and
 * the last bucket everything from about four minutes up. Fixed edges make histograms of every
 * arm, instance and restart add bucket by bucket (exactly mergeable, bounded at 160 counters), and
 * the p95 comparison needs only "how many decisions were slower than T" for T on an edge.
 */
export const LATENCY_BUCKETS = 160;
const FIRST_EDGE_MS = 0.25;
const PER_DOUBLING = 8;

export type LatencyCounts = number[];

export function emptyLatencyCounts(): LatencyCounts {
  return new Array<number>(LATENCY_BUCKETS).fill(0);
}

export function latencyBucket(ms: number): number {
  if (!(ms >= FIRST_EDGE_MS)) return 0;
  const k = Math.floor(PER_DOUBLING * Math.log2(ms / FIRST_EDGE_MS)) + 1;
  return k < LATENCY_BUCKETS ? k : LATENCY_BUCKETS - 1;
}

/** Lower edge of bucket k in ms (0 for the first). */
export function bucketLowerEdge(k: number): number {
  return k <= 0 ? 0 : FIRST_EDGE_MS * 2 ** ((k - 1) / PER_DOUBLING);
}

/** Upper edge of bucket k in ms (∞ for the last). */
export function bucketUpperEdge(k: number): number {
  return k >= LATENCY_BUCKETS - 1 ? Infinity : FIRST_EDGE_MS * 2 ** (k / PER_DOUBLING);
}

export function addLatency(counts: LatencyCounts, ms: number): void {
  counts[latencyBucket(ms)] += 1;
}

export function addLatencyCounts(into: LatencyCounts, from: LatencyCounts): void {
  for (let k = 0; k < LATENCY_BUCKETS; k++) into[k] += from[k] ?? 0;
}

export function latencyTotal(counts: LatencyCounts): number {
  let n = 0;
  for (let k = 0; k < LATENCY_BUCKETS; k++) n += counts[k];
  return n;
}

/** Observations in buckets k and above (at or slower than bucket k's lower edge). */
export function countFromBucket(counts: LatencyCounts, k: number): number {
  let n = 0;
  for (let i = Math.max(0, k); i < LATENCY_BUCKETS; i++) n += counts[i];
  return n;
}

/** The bucket holding the observation of 1-based rank `rank`. */
export function bucketOfRank(counts: LatencyCounts, rank: number): number {
  let seen = 0;
  for (let k = 0; k < LATENCY_BUCKETS; k++) {
    seen += counts[k];
    if (seen >= rank) return k;
  }
  return LATENCY_BUCKETS - 1;
}

/**
 * The q-quantile in ms, interpolated geometrically inside its bucket (the first bucket linearly,
 * the open last bucket at its lower edge). NaN for an empty histogram.
 */
export function latencyQuantile(counts: LatencyCounts, q: number): number {
  const total = latencyTotal(counts);
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let k = 0; k < LATENCY_BUCKETS; k++) {
    if (counts[k] === 0) continue;
    if (seen + counts[k] >= rank) {
      const within = (rank - seen - 0.5) / counts[k];
      const lo = bucketLowerEdge(k);
      const hi = bucketUpperEdge(k);
      if (k === 0) return hi * within;
      if (!Number.isFinite(hi)) return lo;
      return lo * (hi / lo) ** within;
    }
    seen += counts[k];
  }
  return bucketLowerEdge(LATENCY_BUCKETS - 1);
}

/** The smallest bucket whose lower edge is at or above `ms` (the threshold snapped up to an edge). */
export function firstBucketAtOrAbove(ms: number): number {
  for (let k = 1; k < LATENCY_BUCKETS; k++) if (bucketLowerEdge(k) >= ms * (1 - 1e-12)) return k;
  return LATENCY_BUCKETS - 1;
}
