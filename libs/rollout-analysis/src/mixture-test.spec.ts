import {
  BROAD_SCALE,
  FOCUSED_WEIGHT,
  criticalScore,
  logEValue,
  logTruncatedNormalMixture,
  oneSidedTest,
} from './mixture-test';
import { SeededRandom } from './seeded-random';

/** ∫₀^∞ exp(θS − θ²V/2) N(θ; m, η²) dθ / P(θ ≥ 0), by the trapezoid rule on a fine grid. */
function numericMixture(S: number, V: number, m: number, eta: number): number {
  const hi = m + 12 * eta + (Math.abs(S) / V) * 2 + 1;
  const steps = 200_000;
  const h = hi / steps;
  let sum = 0;
  let mass = 0;
  for (let i = 0; i <= steps; i++) {
    const theta = i * h;
    const w = i === 0 || i === steps ? 0.5 : 1;
    const prior = Math.exp(-((theta - m) ** 2) / (2 * eta * eta));
    sum += w * prior * Math.exp(theta * S - (theta * theta * V) / 2);
    mass += w * prior;
  }
  return Math.log(sum / mass);
}

describe('mixture sequential test', () => {
  it('has the closed form of the truncated normal mixture', () => {
    for (const [S, V, m, eta] of [
      [3, 10, 0.3, 0.15],
      [-2, 40, 0.1, 0.05],
      [25, 900, 0.05, 0.2],
      [0, 5, 0, 1],
    ])
      expect(logTruncatedNormalMixture(S, V, m, eta)).toBeCloseTo(numericMixture(S, V, m, eta), 5);
  });

  it('mixes the focused and broad components with their weights', () => {
    const [S, V, m] = [12, 300, 0.05];
    const expected = Math.log(
      FOCUSED_WEIGHT * Math.exp(logTruncatedNormalMixture(S, V, m, m / 2)) +
        (1 - FOCUSED_WEIGHT) * Math.exp(logTruncatedNormalMixture(S, V, 0, BROAD_SCALE * m)),
    );
    expect(logEValue(S, V, m)).toBeCloseTo(expected, 10);
  });

  it('grows with the score, and the critical score reaches the threshold', () => {
    let previous = -Infinity;
    for (let S = -20; S <= 40; S += 2) {
      const e = logEValue(S, 400, 0.05);
      expect(e).toBeGreaterThan(previous);
      previous = e;
    }
    for (const [V, m, L] of [
      [400, 0.05, Math.log(60)],
      [30, 0.5, Math.log(20)],
      [1e6, 0.001, Math.log(1000)],
      [5, 0.01, Math.log(20)],
    ]) {
      const c = criticalScore(V, m, L);
      expect(logEValue(c, V, m)).toBeCloseTo(L, 6);
    }
  });

  it('rejects exactly when the lower confidence bound clears the null', () => {
    const random = new SeededRandom(11);
    for (let i = 0; i < 200; i++) {
      const information = 50 + 2000 * random.next();
      const weightedEffect =
        information * 0.03 * (random.next() - 0.3) + Math.sqrt(information) * random.normal();
      const r = oneSidedTest({ weightedEffect, information }, 0.01, 0.02, 0.05);
      expect(r.rejected).toBe(r.lowerBound > 0.01);
    }
  });

  it('keeps the error below α over hundreds of looks (A/A Brownian motion)', () => {
    // The score of a null effect, observed after every one of 400 increments of information.
    const random = new SeededRandom(3);
    const alpha = 0.05;
    const runs = 1000;
    let rejections = 0;
    for (let r = 0; r < runs; r++) {
      let S = 0;
      let V = 0;
      for (let look = 0; look < 300; look++) {
        const dV = 25;
        S += Math.sqrt(dV) * random.normal();
        V += dV;
        if (logEValue(S, V, 0.05) >= Math.log(1 / alpha)) {
          rejections++;
          break;
        }
      }
    }
    expect(rejections / runs).toBeLessThan(alpha);
  });

  it('detects a harm at the declared size, and a gross harm fast', () => {
    const random = new SeededRandom(5);
    const looksToReject = (effect: number) => {
      let S = 0;
      let V = 0;
      for (let look = 1; look <= 4000; look++) {
        S += effect * 25 + 5 * random.normal();
        V += 25;
        if (logEValue(S, V, 0.05) >= Math.log(20)) return look;
      }
      return Infinity;
    };
    const atFocus = Array.from({ length: 50 }, () => looksToReject(0.05)).sort((a, b) => a - b)[25];
    const gross = Array.from({ length: 50 }, () => looksToReject(0.5)).sort((a, b) => a - b)[25];
    expect(atFocus).toBeLessThan(200);
    expect(gross).toBeLessThan(atFocus / 10);
  });

  it('catches a harm far above the declared one at the first look (the broad component)', () => {
    // Effect estimate 0.5 against a declared minimum of 0.02, little information yet: a mixture
    // concentrated near 0.02 would shrink it away and wait.
    expect(oneSidedTest({ weightedEffect: 50, information: 100 }, 0, 0.02, 0.05).rejected).toBe(true);
    expect(logTruncatedNormalMixture(50, 100, 0.02, 0.01)).toBeLessThan(Math.log(20));
  });

  it('does not reject when there is no information', () => {
    expect(oneSidedTest({ weightedEffect: 0, information: 0 }, 0, 0.05, 0.05)).toMatchObject({
      rejected: false,
      logE: 0,
    });
  });
});
