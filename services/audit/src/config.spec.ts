import { exportSigningKey, generateSigningKey } from '@agentops/audit-chain';
import { ConfigurationError } from '@agentops/service-runtime';
import { randomBytes } from 'node:crypto';
import { auditKeyProblems } from './audit-keys';
import { loadAuditConfig } from './config';

const signing = generateSigningKey();
const base = {
  AGENTOPS_ENV: 'development',
  DATABASE_URL: 'postgres://agentops_audit_writer:pw@db:5432/agentops',
  AUDIT_KEK: randomBytes(32).toString('base64'),
};
const pinned = {
  ...base,
  AUDIT_SIGNING_KEY: exportSigningKey(signing),
  AUDIT_TRUSTED_KEY_IDS: signing.keyId,
  AUDIT_PSEUDONYM_SECRET: 'p'.repeat(40),
};

const problems = (env: Record<string, string | undefined>) => {
  try {
    loadAuditConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return error.problems;
  }
};

describe('audit configuration', () => {
  it('connects with AUDIT_DATABASE_URL when given, else DATABASE_URL', () => {
    expect(loadAuditConfig(base).DATABASE_URL).toBe(base.DATABASE_URL);
    expect(loadAuditConfig({ ...base, AUDIT_DATABASE_URL: 'postgres://w:p@h/d' }).DATABASE_URL).toBe(
      'postgres://w:p@h/d',
    );
  });

  it('always needs a key-encryption key of 32 bytes', () => {
    expect(problems({ ...base, AUDIT_KEK: undefined })).toEqual([
      expect.stringMatching(/^AUDIT_KEK: is required/),
    ]);
    expect(problems({ ...base, AUDIT_KEK: randomBytes(16).toString('base64') })).toEqual([
      expect.stringMatching(/^AUDIT_KEK: key 1 is 16 bytes, not 32/),
    ]);
  });

  it('in development, starts without pinned keys (warnings only)', () => {
    expect(problems(base)).toEqual([]);
    const { warnings } = auditKeyProblems({ AUDIT_TRUSTED_KEY_IDS: [], AUDIT_KEK: base.AUDIT_KEK }, false);
    expect(warnings.join('\n')).toMatch(
      /AUDIT_SIGNING_KEY[\s\S]*AUDIT_TRUSTED_KEY_IDS[\s\S]*AUDIT_PSEUDONYM_SECRET/,
    );
  });

  it('in production, refuses ephemeral keys and an unpinned verifier, naming each variable', () => {
    // Unset is production: secure by default.
    for (const mode of [{ AGENTOPS_ENV: 'production' }, { AGENTOPS_ENV: undefined }]) {
      expect(problems({ ...base, ...mode }).map((p) => p.split(':')[0])).toEqual([
        'AUDIT_SIGNING_KEY',
        'AUDIT_TRUSTED_KEY_IDS',
        'AUDIT_PSEUDONYM_SECRET',
      ]);
    }
    expect(problems({ ...pinned, AGENTOPS_ENV: 'production' })).toEqual([]);
  });

  it("in production, the trusted ids must include the signing key's own id", () => {
    const other = generateSigningKey().keyId;
    expect(problems({ ...pinned, AUDIT_TRUSTED_KEY_IDS: other, AGENTOPS_ENV: 'production' })).toEqual([
      `AUDIT_TRUSTED_KEY_IDS: does not include ${signing.keyId}, the id of AUDIT_SIGNING_KEY, so this service's own checkpoints would not verify`,
    ]);
    expect(
      problems({ ...pinned, AUDIT_TRUSTED_KEY_IDS: `${other},${signing.keyId}`, AGENTOPS_ENV: 'production' }),
    ).toEqual([]);
  });

  it('names a malformed key id or signing key', () => {
    expect(problems({ ...base, AUDIT_TRUSTED_KEY_IDS: 'nope' })).toEqual([
      expect.stringMatching(/^AUDIT_TRUSTED_KEY_IDS.*16 hex digits/),
    ]);
    expect(problems({ ...base, AUDIT_SIGNING_KEY: 'bm90IGEga2V5' })).toEqual([
      expect.stringMatching(/^AUDIT_SIGNING_KEY: not a usable Ed25519 private key/),
    ]);
  });
});
