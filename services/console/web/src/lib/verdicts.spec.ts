import { sparklinePaths, verdictMix } from './verdicts';

describe('verdictMix', () => {
  it('gives whole percentages that add up to 100', () => {
    const { total, shares } = verdictMix({ allow: 1, deny: 1, escalate: 1, modify: 0 });
    expect(total).toBe(3);
    expect(shares.map((s) => [s.verdict, s.percent])).toEqual([
      ['allow', 34],
      ['modify', 0],
      ['escalate', 33],
      ['deny', 33],
    ]);
  });
  it('breaks remainder ties in display order', () => {
    // 70 %, 29.5 %, 0 %, 0.5 %: one point is left over and goes to the first tied verdict.
    const { shares } = verdictMix({ allow: 140, deny: 1, escalate: 0, modify: 59 });
    expect(Object.fromEntries(shares.map((s) => [s.verdict, s.percent]))).toEqual({
      allow: 70,
      modify: 30,
      escalate: 0,
      deny: 0,
    });
    expect(shares.reduce((a, s) => a + s.percent, 0)).toBe(100);
  });
  it('is all zero with no decisions', () => {
    const { total, shares } = verdictMix({});
    expect(total).toBe(0);
    expect(shares.every((s) => s.percent === 0 && s.count === 0)).toBe(true);
  });
});

describe('sparklinePaths', () => {
  it('draws from the bottom edge up to the peak', () => {
    const { line, area, max } = sparklinePaths([0, 5, 10], 102, 22, 1);
    expect(max).toBe(10);
    expect(line).toBe('M1,21 L51,11 L101,1');
    expect(area).toBe('M1,21 L51,11 L101,1 L101,21 L1,21 Z');
  });
  it('keeps a flat zero line on the bottom and handles no data', () => {
    expect(sparklinePaths([0, 0], 10, 10, 0).line).toBe('M0,10 L10,10');
    expect(sparklinePaths([], 10, 10)).toEqual({ line: '', area: '', max: 0 });
  });
});
