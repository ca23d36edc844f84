import { chiSquareSurvival, logGamma, logNormalCdf, normalCdf, normalQuantile } from './normal';

describe('special functions', () => {
  it('normal CDF and its log, in both tails', () => {
    expect(logNormalCdf(0)).toBeCloseTo(Math.log(0.5), 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1.644853627)).toBeCloseTo(0.05, 7);
    // log Φ(−10) = −53.23128515…; Φ(−10) itself is 7.6e-24.
    expect(logNormalCdf(-10)).toBeCloseTo(-53.2312851, 5);
    expect(logNormalCdf(-40) / -804.6084420137538).toBeCloseTo(1, 6);
    expect(logNormalCdf(8)).toBeCloseTo(-6.22096e-16, 18);
  });

  it('normal quantile inverts the CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
    for (const p of [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999])
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 7);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('chi-square survival at the textbook critical values', () => {
    expect(chiSquareSurvival(3.841458821, 1)).toBeCloseTo(0.05, 7);
    expect(chiSquareSurvival(5.991464547, 2)).toBeCloseTo(0.05, 7);
    expect(chiSquareSurvival(10.82756617, 1)).toBeCloseTo(0.001, 7);
    expect(chiSquareSurvival(123.2252, 99)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it('log gamma', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(logGamma(100_000.5) - logGamma(100_000)).toBeCloseTo(
      0.5 * Math.log(100_000) - 1 / (8 * 100_000),
      8,
    );
  });
});
