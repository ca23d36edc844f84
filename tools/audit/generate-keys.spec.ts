import { loadSigningKey } from '@agentops/audit-chain';
import { parseKeks } from '@agentops/privacy';
import { auditKeyProblems } from '../../services/audit/src/audit-keys';
import { auditKeyLines } from './generate-keys';

const env = (lines: string[]) =>
  Object.fromEntries(
    lines
      .filter((l) => !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('npm run audit:keys', () => {
  it('prints keys that production audit accepts as they are', () => {
    const keys = env(auditKeyLines([]));
    expect(loadSigningKey(keys.AUDIT_SIGNING_KEY).keyId).toBe(keys.AUDIT_TRUSTED_KEY_IDS);
    const settings = { ...keys, AUDIT_TRUSTED_KEY_IDS: keys.AUDIT_TRUSTED_KEY_IDS.split(',') };
    expect(auditKeyProblems(settings, true)).toEqual({ errors: [], warnings: [] });
  });

  it('rotates the KEK: a new one first, the current ones kept', () => {
    const current = env(auditKeyLines([])).AUDIT_KEK;
    const rotated = parseKeks(env(auditKeyLines(['--rotate-kek', current])).AUDIT_KEK);
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).toEqual(parseKeks(current)[0]);
    expect(() => auditKeyLines(['--rotate-kek'])).toThrow(/needs the current AUDIT_KEK/);
  });
});
