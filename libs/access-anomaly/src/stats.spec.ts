import {
  cusumStep,
  effectiveVariance,
  emptyRatioBaseline,
  emptyRobustWindow,
  learnRatio,
  median,
  mergeRatio,
  pushRobust,
  ratioZ,
  robustSummary,
  robustZ,
} from './stats';

describe('ratio baselines (per-intent EWMA)', () => {
  it('learns the per-intent mean whatever the number of intents per bucket', () => {
    const b = emptyRatioBaseline();
    for (let i = 0; i < 200; i++) learnRatio(b, 4 * (1 + (i % 5)), 1 + (i % 5), 0.01);
    expect(b.mean).toBeCloseTo(4, 6);
    expect(b.variance).toBeCloseTo(0, 6);
  });

  it('starts from the first bucket and ignores buckets without intents', () => {
    const b = emptyRatioBaseline();
    learnRatio(b, 10, 0, 0.01);
    expect(b.intents).toBe(0);
    learnRatio(b, 10, 2, 0.01);
    expect(b.mean).toBe(5);
    expect(b.intents).toBe(2);
  });

  it('is not moved by a 5× busier bucket with the same rate per intent', () => {
    const b = emptyRatioBaseline();
    for (let i = 0; i < 100; i++) learnRatio(b, 8, 2, 0.01);
    expect(ratioZ(b, 40, 10)).toBeCloseTo(0, 6);
    expect(ratioZ(b, 80, 10)).toBeGreaterThan(5);
  });

  it('floors the variance at the mean and at 1', () => {
    const b = { mean: 1, variance: 0, intents: 10 };
    expect(effectiveVariance(b)).toBe(1);
    expect(effectiveVariance({ mean: 6, variance: 2, intents: 10 })).toBe(6);
    expect(effectiveVariance({ mean: 6, variance: 9, intents: 10 })).toBe(9);
  });

  it('estimates the per-intent variance from bucket residuals', () => {
    const b = emptyRatioBaseline();
    // alternating 2 and 6 records on one intent: mean 4, variance 4
    for (let i = 0; i < 2000; i++) learnRatio(b, i % 2 ? 6 : 2, 1, 0.005);
    expect(b.mean).toBeGreaterThan(3.8);
    expect(b.mean).toBeLessThan(4.2);
    expect(b.variance).toBeGreaterThan(3.5);
    expect(b.variance).toBeLessThan(4.5);
  });

  it('merges two baselines by intents with a pooled variance', () => {
    const m = mergeRatio({ mean: 2, variance: 1, intents: 100 }, { mean: 4, variance: 1, intents: 100 });
    expect(m.mean).toBe(3);
    expect(m.variance).toBe(2);
    expect(m.intents).toBe(200);
    expect(mergeRatio(emptyRatioBaseline(), emptyRatioBaseline())).toEqual(emptyRatioBaseline());
  });
});

describe('CUSUM', () => {
  const b = { mean: 4, variance: 4, intents: 1000 };
  it('stays at 0 on in-control data and accumulates a persistent small excess', () => {
    let s = 0;
    for (let i = 0; i < 100; i++) s = cusumStep(s, b, 4, 1, 0.3);
    expect(s).toBe(0);
    // +1 record per intent = 0.5 σ, above k = 0.3: +0.2 per intent
    for (let i = 0; i < 100; i++) s = cusumStep(s, b, 5, 1, 0.3);
    expect(s).toBeCloseTo(20, 6);
  });

  it('treats a bucket with reads but no intent as one intent', () => {
    expect(cusumStep(0, b, 10, 0, 0.3)).toBeCloseTo(3 - 0.3, 6);
  });
});

describe('robust window (median/MAD)', () => {
  it('keeps the last `size` values', () => {
    const w = emptyRobustWindow();
    for (let i = 0; i < 25; i++) pushRobust(w, i, 10);
    expect([...w.values].sort((x, y) => x - y)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('is not dragged by outliers, unlike a mean', () => {
    const w = emptyRobustWindow();
    for (let i = 0; i < 40; i++) pushRobust(w, 4 + (i % 3) - 1, 60);
    for (let i = 0; i < 5; i++) pushRobust(w, 500, 60);
    const s = robustSummary(w);
    expect(s.median).toBe(4);
    expect(s.scale).toBeCloseTo(1.4826, 4);
    expect(robustZ(s, 40, 0.5)).toBeGreaterThan(20);
  });

  it('floors the scale of a constant history', () => {
    const w = emptyRobustWindow();
    for (let i = 0; i < 30; i++) pushRobust(w, 1, 60);
    expect(robustZ(robustSummary(w), 3, 0.5)).toBe(4);
  });

  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
