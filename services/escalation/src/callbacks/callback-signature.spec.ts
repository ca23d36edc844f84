import { callbackBackoffMs, signCallback, verifyCallback } from './callback-signature';

describe('callback signatures', () => {
  const secret = 'x'.repeat(32);

  it('verifies its own signature and refuses a changed body, another secret or a stale timestamp', () => {
    const header = signCallback(secret, '{"a":1}', 1000);
    expect(header).toMatch(/^t=1000,v1=[0-9a-f]{64}$/);
    expect(verifyCallback(secret, '{"a":1}', header, 1010)).toBe(true);
    expect(verifyCallback(secret, '{"a":2}', header, 1010)).toBe(false);
    expect(verifyCallback('y'.repeat(32), '{"a":1}', header, 1010)).toBe(false);
    expect(verifyCallback(secret, '{"a":1}', header, 2000)).toBe(false);
    expect(verifyCallback(secret, '{"a":1}', 'garbage', 1000)).toBe(false);
  });

  it('backs off exponentially from a promised floor, with jitter up to twice it, capped at 5 min', () => {
    expect([1, 2, 3].map((n) => callbackBackoffMs(n, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((n) => callbackBackoffMs(n, () => 0.999999))).toEqual([999, 1999, 3999]);
    expect(callbackBackoffMs(40, () => 0)).toBe(300_000);
    expect(callbackBackoffMs(40, () => 0.999999)).toBeLessThan(600_000);
  });
});
