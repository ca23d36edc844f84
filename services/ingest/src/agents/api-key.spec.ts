import {
  MAX_ROTATION_GRACE_SECONDS,
  issueApiKey,
  keyIsUsable,
  parseApiKey,
  retirementOf,
  secretMatches,
} from './api-key';

describe('agent API keys', () => {
  const now = new Date('2026-11-24T10:00:00.000Z');
  const at = (iso: string) => new Date(iso);

  it('issues keys that parse back to their id and match only their own secret', () => {
    const a = issueApiKey();
    const b = issueApiKey();
    const parsed = parseApiKey(a.clearKey);
    expect(parsed?.keyId).toBe(a.keyId);
    expect(secretMatches(parsed!.secret, a.secretHash)).toBe(true);
    expect(secretMatches(parsed!.secret, b.secretHash)).toBe(false);
    expect(parseApiKey('aok_short_x')).toBeNull();
    expect(a.clearKey).not.toBe(b.clearKey);
  });

  describe('keyIsUsable', () => {
    it('accepts a key neither revoked nor expired', () => {
      expect(keyIsUsable({ revokedAt: null, expiresAt: null }, now)).toBe(true);
      expect(keyIsUsable({ revokedAt: null, expiresAt: at('2026-11-24T10:00:00.001Z') }, now)).toBe(true);
    });

    it('refuses a revoked key, whatever its expiry', () => {
      expect(keyIsUsable({ revokedAt: at('2026-11-24T09:00:00Z'), expiresAt: null }, now)).toBe(false);
      expect(
        keyIsUsable({ revokedAt: at('2026-11-24T09:00:00Z'), expiresAt: at('2026-12-01T00:00:00Z') }, now),
      ).toBe(false);
    });

    it('refuses a key at and after its expiry', () => {
      expect(keyIsUsable({ revokedAt: null, expiresAt: now }, now)).toBe(false);
      expect(keyIsUsable({ revokedAt: null, expiresAt: at('2026-11-24T09:59:59Z') }, now)).toBe(false);
    });
  });

  describe('retirementOf (what a rotation does to a previous key)', () => {
    const fresh = { revokedAt: null, expiresAt: null };

    it('revokes at once with a grace of 0', () => {
      const r = retirementOf(fresh, now, 0);
      expect(r).toEqual({ revokedAt: now, expiresAt: null });
      expect(keyIsUsable(r, now)).toBe(false);
    });

    it('lets the key live until now + grace, and not a moment longer', () => {
      const r = retirementOf(fresh, now, 300);
      expect(r).toEqual({ revokedAt: null, expiresAt: at('2026-11-24T10:05:00.000Z') });
      expect(keyIsUsable(r, at('2026-11-24T10:04:59.999Z'))).toBe(true);
      expect(keyIsUsable(r, at('2026-11-24T10:05:00.000Z'))).toBe(false);
    });

    it('never extends a key that already expires sooner', () => {
      const soon = { revokedAt: null, expiresAt: at('2026-11-24T10:01:00Z') };
      expect(retirementOf(soon, now, 3600).expiresAt).toEqual(at('2026-11-24T10:01:00Z'));
      const later = { revokedAt: null, expiresAt: at('2026-11-25T10:00:00Z') };
      expect(retirementOf(later, now, 60).expiresAt).toEqual(at('2026-11-24T10:01:00Z'));
    });

    it('refuses a grace outside 0..86400 whole seconds', () => {
      expect(() => retirementOf(fresh, now, -1)).toThrow(RangeError);
      expect(() => retirementOf(fresh, now, MAX_ROTATION_GRACE_SECONDS + 1)).toThrow(RangeError);
      expect(() => retirementOf(fresh, now, 1.5)).toThrow(RangeError);
      expect(retirementOf(fresh, now, MAX_ROTATION_GRACE_SECONDS).expiresAt).toEqual(
        at('2026-11-25T10:00:00.000Z'),
      );
    });
  });
});
