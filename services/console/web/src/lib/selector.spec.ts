import { EMPTY_SELECTOR_FIELDS, buildSelector, defaultTenant, describeSelector, ttlFor } from './selector';

describe('buildSelector', () => {
  it('drops empty fields and trims the rest', () => {
    const r = buildSelector({
      ...EMPTY_SELECTOR_FIELDS,
      tenantId: ' acme ',
      role: 'pricing',
      region: ' eu-west ',
    });
    expect(r).toEqual({
      ok: true,
      selector: { tenantId: 'acme', role: 'pricing', region: 'eu-west' },
      global: false,
    });
  });

  it('treats the operator tenant * as every tenant', () => {
    const r = buildSelector({ ...EMPTY_SELECTOR_FIELDS, tenantId: '*', agentId: 'px-1' });
    expect(r).toEqual({ ok: true, selector: { agentId: 'px-1' }, global: false });
  });

  it('flags a selector that narrows nothing but the tenant as global', () => {
    expect(buildSelector({ ...EMPTY_SELECTOR_FIELDS, tenantId: 'acme' })).toEqual({
      ok: true,
      selector: { tenantId: 'acme' },
      global: true,
    });
    expect(buildSelector(EMPTY_SELECTOR_FIELDS)).toEqual({ ok: true, selector: {}, global: true });
  });

  it('names the fields the server would reject', () => {
    const r = buildSelector({
      ...EMPTY_SELECTOR_FIELDS,
      role: 'wizard',
      action: 'Pricing Set',
      agentId: 'a b',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['action', 'agentId', 'role']);
  });

  it('accepts action globs', () => {
    const r = buildSelector({ ...EMPTY_SELECTOR_FIELDS, action: 'pricing.*' });
    expect(r).toEqual({ ok: true, selector: { action: 'pricing.*' }, global: false });
  });
});

describe('describeSelector', () => {
  it('says every agent and every tenant for an empty selector', () => {
    expect(describeSelector({})).toBe('every agent, every tenant');
  });
  it('reads like a sentence', () => {
    expect(describeSelector({ tenantId: 'acme', role: 'pricing', region: 'eu', action: 'pricing.*' })).toBe(
      'pricing agents, region eu, actions pricing.*, tenant acme',
    );
    expect(
      describeSelector({
        agentId: 'px-1',
        role: 'pricing',
        agentVersion: '2.1',
        action: 'pricing.set_price',
      }),
    ).toBe('agent px-1, role pricing, version 2.1, action pricing.set_price, every tenant');
  });
});

describe('form defaults', () => {
  it('prefills the tenant unless the user is the operator', () => {
    expect(defaultTenant('acme')).toBe('acme');
    expect(defaultTenant('*')).toBe('');
  });
  it('maps expiry choices to ttlSeconds', () => {
    expect(ttlFor('')).toBeUndefined();
    expect(ttlFor('15m')).toBe(900);
    expect(ttlFor('1h')).toBe(3600);
    expect(ttlFor('4h')).toBe(14400);
    expect(ttlFor('24h')).toBe(86400);
    expect(ttlFor('nonsense')).toBeUndefined();
  });
});
