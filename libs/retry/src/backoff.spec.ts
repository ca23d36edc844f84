import { BackoffSchedule, backoffCeilingMs, backoffDelayMs } from './backoff';

const schedule: BackoffSchedule = { initialDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('grows the ceiling exponentially from the initial delay and caps it', () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffCeilingMs(n, schedule))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
    expect(backoffCeilingMs(3, { ...schedule, factor: 3 })).toBe(900);
  });

  it('caps a ceiling that overflows to infinity', () => {
    expect(backoffCeilingMs(5_000, schedule)).toBe(1_000);
  });

  it('treats a retry number below 1 as the first retry', () => {
    expect(backoffCeilingMs(0, schedule)).toBe(100);
    expect(backoffCeilingMs(-3, schedule)).toBe(100);
  });

  it('draws a full-jitter delay anywhere in [0, ceiling) by default', () => {
    expect(backoffDelayMs(3, schedule, () => 0)).toBe(0);
    expect(backoffDelayMs(3, schedule, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, schedule, () => 0.999999)).toBe(399);
    expect(backoffDelayMs(9, schedule, () => 0.5)).toBe(500);
  });

  it('keeps a draw of 1 (a bad random source) below the ceiling', () => {
    expect(backoffDelayMs(1, schedule, () => 1)).toBe(99);
  });

  it('draws an equal-jitter delay in [ceiling/2, ceiling)', () => {
    const equal: BackoffSchedule = { ...schedule, jitter: 'equal' };
    expect(backoffDelayMs(1, equal, () => 0)).toBe(50);
    expect(backoffDelayMs(1, equal, () => 0.999999)).toBe(99);
    expect(backoffDelayMs(4, equal, () => 0.5)).toBe(600);
  });

  it('is the ceiling itself without jitter', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, { ...schedule, jitter: 'none' }, () => 0.3))).toEqual([
      100, 200, 400,
    ]);
  });

  it('spreads clients that failed together (Math.random by default)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5, schedule)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeLessThan(1_000);
  });
});
