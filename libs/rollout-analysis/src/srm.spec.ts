import { emptyArmStats } from './arm-stats';
import { RolloutStats } from './rollout-stats';
import { SeededRandom } from './seeded-random';
import { logDirichletMultinomialE, sampleRatioCheck } from './srm';

function statsWith(
  strata: { weights: Record<string, number>; counts: Record<string, number> }[],
): RolloutStats {
  return {
    version: 1,
    strata: strata.map((s, id) => ({
      id,
      step: id,
      weights: s.weights,
      arms: Object.fromEntries(
        Object.entries(s.counts).map(([arm, n]) => [arm, { ...emptyArmStats(), decisions: n }]),
      ),
    })),
  };
}

describe('sample-ratio mismatch', () => {
  it('passes counts that match the weights', () => {
    const r = sampleRatioCheck(
      statsWith([{ weights: { stable: 90, v2: 10 }, counts: { stable: 9012, v2: 988 } }]),
      0.001,
    );
    expect(r).toMatchObject({ checked: true, df: 1, mismatch: false });
    expect(r.chiSquarePValue).toBeGreaterThan(0.4);
    expect(r.arms.v2).toEqual({ observed: 988, expected: 1000 });
  });

  it('pauses on a candidate that lost a tenth of its intents', () => {
    const r = sampleRatioCheck(
      statsWith([{ weights: { stable: 90, v2: 10 }, counts: { stable: 90_000, v2: 9_000 } }]),
      0.001,
    );
    expect(r.mismatch).toBe(true);
    expect(r.chiSquarePValue).toBeLessThan(1e-10);
    expect(r.pValue).toBeLessThan(0.001);
  });

  it('checks each stratum against its own weights', () => {
    const ramp = [
      { weights: { stable: 90, v2: 10 }, counts: { stable: 9000, v2: 1000 } },
      { weights: { stable: 75, v2: 25 }, counts: { stable: 7500, v2: 2500 } },
    ];
    const r = sampleRatioCheck(statsWith(ramp), 0.001);
    expect(r).toMatchObject({ df: 2, mismatch: false });
    expect(r.chiSquare).toBeCloseTo(0, 10);
    // The same counts judged against the second step's weights throughout would be a mismatch.
    const wrong = sampleRatioCheck(
      statsWith(ramp.map((s) => ({ ...s, weights: { stable: 75, v2: 25 } }))),
      0.001,
    );
    expect(wrong.mismatch).toBe(true);
  });

  it('ignores arms that are not served and strata without data', () => {
    const r = sampleRatioCheck(
      statsWith([
        { weights: { stable: 100, v2: 0 }, counts: { stable: 500, v2: 40 } },
        { weights: { stable: 90, v2: 10 }, counts: { stable: 0, v2: 0 } },
      ]),
      0.001,
    );
    expect(r).toMatchObject({ checked: false, mismatch: false, pValue: 1 });
  });

  it('is a martingale test: exact shares give evidence for the null', () => {
    expect(logDirichletMultinomialE([9000, 1000], [0.9, 0.1])).toBeLessThan(0);
    expect(logDirichletMultinomialE([8800, 1200], [0.9, 0.1])).toBeGreaterThan(Math.log(1000));
  });

  it('rarely pauses a correct split, checked after every batch', () => {
    const random = new SeededRandom(17);
    const runs = 300;
    let pauses = 0;
    for (let r = 0; r < runs; r++) {
      let stable = 0;
      let v2 = 0;
      for (let look = 0; look < 100; look++) {
        for (let i = 0; i < 100; i++)
          if (random.next() < 0.1) v2++;
          else stable++;
        if (
          sampleRatioCheck(statsWith([{ weights: { stable: 90, v2: 10 }, counts: { stable, v2 } }]), 0.01)
            .mismatch
        ) {
          pauses++;
          break;
        }
      }
    }
    // At threshold 0.01 the always-valid test may pause at most 1 % of correct rollouts.
    expect(pauses / runs).toBeLessThanOrEqual(0.01);
  });
});
