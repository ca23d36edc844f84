import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEscalationConfig } from './config';

describe('escalation config', () => {
  const base = { OPERATOR_TOKEN: 'o'.repeat(24), AUTH_JWT_SECRET: 's'.repeat(32) };

  it('loads the default routing rules file', () => {
    expect(loadEscalationConfig(base).ESCALATION_ROUTES_FILE).toBe('policies/escalation/routes.yaml');
  });

  it('names ESCALATION_ROUTES_FILE and the bad field when the rules are invalid or missing', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'esc-cfg-')), 'routes.yaml');
    writeFileSync(file, 'default: { name: d, tiers: [{ group: g, slaMs: 5 }] }');
    expect(() => loadEscalationConfig({ ...base, ESCALATION_ROUTES_FILE: file })).toThrow(
      /ESCALATION_ROUTES_FILE .*default\.tiers\.0\.slaMs/,
    );
    expect(() => loadEscalationConfig({ ...base, ESCALATION_ROUTES_FILE: `${file}.missing` })).toThrow(
      /ESCALATION_ROUTES_FILE: cannot read/,
    );
  });

  it('refuses a short callback secret', () => {
    expect(() => loadEscalationConfig({ ...base, ESCALATION_CALLBACK_SECRET: 'short' })).toThrow(
      /ESCALATION_CALLBACK_SECRET/,
    );
  });
});
