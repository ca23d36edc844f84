import { SoakSample, lagGrew, lagTrends, memoryGrowth } from './soak-stats';

const sample = (
  minute: number,
  rss: Record<string, number>,
  groups: SoakSample['groups'] = {},
): SoakSample => ({
  atMs: minute * 60_000,
  rssMiB: rss,
  groups,
});

describe('soak stats: memory growth per service and lag trend per group', () => {
  it('compares the median of the last fifth of the samples with that of the first fifth', () => {
    const samples = [100, 300, 100, 100, 100, 100, 100, 100, 110, 110].map((rss, i) =>
      sample(i, { audit: rss }),
    );
    expect(memoryGrowth(samples)).toEqual([
      { instance: 'audit', startMiB: 200, endMiB: 110, growthPercent: -45 },
    ]);
    const growing = [100, 100, 105, 110, 115, 120, 125, 130, 140, 140].map((rss, i) =>
      sample(i, { ingest: rss }),
    );
    expect(memoryGrowth(growing)[0].growthPercent).toBeCloseTo(40);
  });

  it('skips an instance seen only once', () => {
    expect(memoryGrowth([sample(0, { a: 1, b: 2 }), sample(1, { a: 1 })]).map((g) => g.instance)).toEqual([
      'a',
    ]);
  });

  it('follows only the groups that committed during the run', () => {
    const samples = [
      sample(0, {}, { live: { lag: 10, committed: 100 }, stale: { lag: 500, committed: 7 } }),
      sample(1, {}, { live: { lag: 30, committed: 200 }, stale: { lag: 900, committed: 7 } }),
      sample(2, {}, { live: { lag: 50, committed: 300 }, stale: { lag: 1300, committed: 7 } }),
    ];
    const trends = lagTrends(samples);
    expect(trends.map((t) => t.group)).toEqual(['live']);
    expect(trends[0]).toMatchObject({ startLag: 10, endLag: 50, maxLag: 50 });
    expect(trends[0].slopePerMin).toBeCloseTo(20);
  });

  it('calls a lag that ends a load-second above its start, or trends up, growth', () => {
    const steady = { group: 'g', startLag: 40, endLag: 90, maxLag: 200, slopePerMin: 1 };
    expect(lagGrew(steady, 100)).toBe(false);
    expect(lagGrew({ ...steady, endLag: 141 }, 100)).toBe(true);
    expect(lagGrew({ ...steady, slopePerMin: 11 }, 100)).toBe(true);
  });
});
