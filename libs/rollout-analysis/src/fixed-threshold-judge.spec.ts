import { ArmStats, emptyArmStats } from './arm-stats';
import {
  FixedThresholdState,
  emptyFixedThresholdState,
  intervalDenyRate,
  judgeInterval,
} from './fixed-threshold-judge';

const interval = (decisions: number, denies: number): ArmStats => ({ ...emptyArmStats(), decisions, denies });
const rule = { metric: intervalDenyRate, max: 0.07, threshold: 3 };

function judgeAll(intervals: ArmStats[]) {
  let state: FixedThresholdState = emptyFixedThresholdState();
  return intervals.map((i) => {
    const v = judgeInterval(state, i, rule);
    state = v.state;
    return v;
  });
}

describe('fixed-threshold judge (Flagger-style)', () => {
  it('fails an interval above the bound and rolls back at the threshold of failed checks', () => {
    const verdicts = judgeAll([interval(120, 12), interval(120, 6), interval(120, 10), interval(120, 9)]);
    expect(verdicts.map((v) => v.failed)).toEqual([true, false, true, true]);
    // Failed checks are not reset by a passing one (Flagger's failedChecks).
    expect(verdicts.map((v) => v.state.failedChecks)).toEqual([1, 1, 2, 3]);
    expect(verdicts.map((v) => v.rollback)).toEqual([false, false, false, true]);
    expect(verdicts[0].value).toBeCloseTo(0.1, 10);
  });

  it('passes an interval exactly at the bound and fails one without data', () => {
    const [atBound, empty] = judgeAll([interval(100, 7), interval(0, 0)]);
    expect(atBound.failed).toBe(false);
    expect(empty).toMatchObject({ failed: true, value: undefined });
  });
});
