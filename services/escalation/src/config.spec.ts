import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningJwk } from '@agentops/service-runtime';
import { loadEscalationConfig } from './config';
import { BUILT_IN_RULES, loadRoutingRulesFile } from './routing/routing.tokens';

describe('escalation config', () => {
  const base = { SERVICE_SIGNING_KEY: JSON.stringify(generateSigningJwk()) };

  it('requires its own service key (it calls guardrail with it)', () => {
    expect(() => loadEscalationConfig({})).toThrow(/SERVICE_SIGNING_KEY: is required/);
  });

  it('falls back to the repository rules, then to the built-in queue', () => {
    expect(loadEscalationConfig(base).ESCALATION_ROUTES_FILE).toBeUndefined();
    expect(loadRoutingRulesFile(undefined).routes.map((r) => r.name)).toContain('large-refunds');
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(loadRoutingRulesFile(undefined)).toBe(BUILT_IN_RULES);
    } finally {
      process.chdir(cwd);
    }
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
