/**
 * The soak's verdicts, computed without I/O from its samples: memory growth per service and
 * consumer-lag trend per consumer group.
 */
export interface SoakSample {
  atMs: number;
  /** Resident memory per instance, MiB (missing while an instance is down). */
  rssMiB: Record<string, number>;
  /** Per consumer group: messages behind the log end, and the sum of its committed offsets. */
  groups: Record<string, { lag: number; committed: number }>;
}

export interface MemoryGrowth {
  instance: string;
  startMiB: number;
  endMiB: number;
  growthPercent: number;
}

export interface LagTrend {
  group: string;
  startLag: number;
  endLag: number;
  maxLag: number;
  /** Least-squares slope of the lag over the run, messages per minute. */
  slopePerMin: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The first and the last `edge` share of the samples (at least one each). */
function edges<T>(items: T[], edge: number): [T[], T[]] {
  const n = Math.max(1, Math.floor(items.length * edge));
  return [items.slice(0, n), items.slice(-n)];
}

/**
 * Growth of each instance's resident memory: the median of the last fifth of the samples against
 * the median of the first fifth (medians, so one garbage collection does not decide it).
 */
export function memoryGrowth(samples: SoakSample[], edge = 0.2): MemoryGrowth[] {
  const instances = [...new Set(samples.flatMap((s) => Object.keys(s.rssMiB)))].sort();
  return instances.flatMap((instance) => {
    const series = samples.map((s) => s.rssMiB[instance]).filter((v): v is number => v !== undefined);
    if (series.length < 2) return [];
    const [first, last] = edges(series, edge);
    const startMiB = median(first);
    const endMiB = median(last);
    return [{ instance, startMiB, endMiB, growthPercent: ((endMiB - startMiB) / startMiB) * 100 }];
  });
}

/**
 * The lag of every group that consumed during the run (its committed offsets moved: groups of
 * instances gone before the soak keep their old offsets and are left out), with its trend.
 */
export function lagTrends(samples: SoakSample[]): LagTrend[] {
  if (samples.length < 2) return [];
  const first = samples[0];
  const last = samples[samples.length - 1];
  const live = Object.keys(last.groups).filter(
    (g) => first.groups[g] !== undefined && last.groups[g].committed > first.groups[g].committed,
  );
  return live.sort().map((group) => {
    const points = samples
      .filter((s) => s.groups[group] !== undefined)
      .map((s) => ({ x: (s.atMs - first.atMs) / 60_000, y: s.groups[group].lag }));
    const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
    const my = points.reduce((a, p) => a + p.y, 0) / points.length;
    const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
    const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
    return {
      group,
      startLag: points[0].y,
      endLag: points[points.length - 1].y,
      maxLag: Math.max(...points.map((p) => p.y)),
      slopePerMin: sxx === 0 ? 0 : sxy / sxx,
    };
  });
}

/**
 * No lag growth: the lag at the end is no more than a second of the load's traffic above the lag at
 * the start (a lag that is a few in-flight batches deep is not growth), and it does not trend up.
 */
export function lagGrew(trend: LagTrend, ratePerSec: number): boolean {
  return trend.endLag > trend.startLag + ratePerSec || trend.slopePerMin > ratePerSec / 10;
}
