import { TrafficWindow } from './traffic-window';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');

describe('TrafficWindow', () => {
  it('counts intents per role and verdicts by the role learned from the intent', () => {
    const w = new TrafficWindow();
    w.recordIntent('maison', 'pricing-1', 'pricing', T0 - 500, T0);
    w.recordIntent('maison', 'pricing-1', 'pricing', T0 - 400, T0);
    w.recordIntent('maison', 'svc-1', 'service', T0 - 300, T0);
    w.recordDecision('maison', 'pricing-1', 'deny', T0 - 200, T0);
    w.recordDecision('maison', 'svc-1', 'escalate', T0 - 100, T0);
    w.recordDecision('maison', 'stranger', 'allow', T0, T0);
    const s = w.snapshot('maison', 10, T0);
    expect(s.totals).toEqual({
      intents: 3,
      intentsPerSecond: 0.3,
      verdicts: { allow: 1, deny: 1, escalate: 1, modify: 0 },
    });
    expect(
      s.byRole.map((r) => [r.role, r.intents, r.verdicts.deny, r.verdicts.escalate, r.verdicts.allow]),
    ).toEqual([
      ['pricing', 2, 1, 0, 0],
      ['service', 1, 0, 1, 0],
      ['unknown', 0, 0, 0, 1],
    ]);
  });

  it('keeps tenants apart and sums them for the operator', () => {
    const w = new TrafficWindow();
    w.recordIntent('a', 'x', 'pricing', T0, T0);
    w.recordIntent('b', 'y', 'pricing', T0, T0);
    expect(w.snapshot('a', 5, T0).totals.intents).toBe(1);
    expect(w.snapshot(undefined, 5, T0).totals.intents).toBe(2);
  });

  it('places events in their second, oldest first, and leaves the window behind', () => {
    const w = new TrafficWindow(60);
    w.recordIntent('a', 'x', 'pricing', T0 - 2000, T0);
    w.recordIntent('a', 'x', 'pricing', T0 - 2000, T0);
    w.recordIntent('a', 'x', 'pricing', T0, T0);
    expect(w.snapshot('a', 3, T0).perSecond).toEqual([2, 0, 1]);
    expect(w.snapshot('a', 3, T0 + 2000).perSecond).toEqual([1, 0, 0]);
    expect(w.snapshot('a', 3, T0 + 10_000).totals.intents).toBe(0);
  });

  it('ignores events older than its retention and clamps future ones to now', () => {
    const w = new TrafficWindow(60);
    w.recordIntent('a', 'x', 'pricing', T0 - 61_000, T0);
    w.recordIntent('a', 'x', 'pricing', T0 + 5_000, T0);
    const s = w.snapshot('a', 60, T0);
    expect(s.totals.intents).toBe(1);
    expect(s.perSecond.at(-1)).toBe(1);
  });

  it('caps the window at the retention', () => {
    expect(new TrafficWindow(30).snapshot(undefined, 600, T0).perSecond).toHaveLength(30);
  });
});
