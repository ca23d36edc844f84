import { SlidingWindow } from './sliding-window';

describe('SlidingWindow', () => {
  it('forgets observations older than the window', () => {
    const w = new SlidingWindow(1000);
    w.add({ at: 0, value: 1, key: 'a' });
    w.add({ at: 500, value: 1, key: 'b' });
    w.add({ at: 900, value: 1, key: 'a' });
    expect(w.distinct(950)).toBe(2);
    expect(w.sum(950)).toBe(3);
    expect(w.distinct(1400)).toBe(2);
    expect(w.distinct(1600)).toBe(1);
    expect(w.count(2000)).toBe(0);
  });

  it('gives a rate only above the minimum samples', () => {
    const w = new SlidingWindow(10_000);
    for (let i = 0; i < 4; i++) w.add({ at: i, value: i % 2 });
    expect(w.rate(10, 5)).toBeNull();
    w.add({ at: 5, value: 1 });
    expect(w.rate(10, 5)).toBeCloseTo(0.6);
  });
});
