import {
  actionMatches,
  describeSelector,
  isGlobalSelector,
  scopeSelectorToTenant,
  selectorCovers,
  selectorCoversAgent,
} from './cohort-selector';

const pricing = { id: 'pricing-1', tenantId: 'maison', role: 'pricing', version: '2.1.0', region: 'eu-west' };
const service = { ...pricing, id: 'service-1', role: 'service' };

describe('cohort selector', () => {
  it('an empty selector is global and covers every agent and action', () => {
    expect(isGlobalSelector({})).toBe(true);
    expect(selectorCovers({}, pricing, 'pricing.set_price')).toBe(true);
    expect(describeSelector({})).toBe('global');
  });

  it('matches each field on its own', () => {
    expect(selectorCovers({ tenantId: 'maison' }, pricing, 'x.y')).toBe(true);
    expect(selectorCovers({ tenantId: 'other' }, pricing, 'x.y')).toBe(false);
    expect(selectorCovers({ role: 'pricing' }, service, 'x.y')).toBe(false);
    expect(selectorCovers({ agentId: 'pricing-1' }, pricing, 'x.y')).toBe(true);
    expect(selectorCovers({ agentVersion: '2.1.0' }, pricing, 'x.y')).toBe(true);
    expect(selectorCovers({ agentVersion: '2.0.0' }, pricing, 'x.y')).toBe(false);
    expect(selectorCovers({ region: 'us-east' }, pricing, 'x.y')).toBe(false);
  });

  it('is a conjunction: every given field must match', () => {
    const sel = { tenantId: 'maison', role: 'pricing' as const, action: 'pricing.*' };
    expect(selectorCovers(sel, pricing, 'pricing.set_price')).toBe(true);
    expect(selectorCovers(sel, pricing, 'inventory.create_purchase_order')).toBe(false);
    expect(selectorCovers(sel, service, 'pricing.set_price')).toBe(false);
    expect(selectorCoversAgent(sel, pricing)).toBe(true);
    expect(describeSelector(sel)).toBe('tenant=maison role=pricing action=pricing.*');
  });

  it('matches action globs without treating dots as wildcards', () => {
    expect(actionMatches('pricing.*', 'pricing.set_price')).toBe(true);
    expect(actionMatches('pricing.*', 'pricingXset')).toBe(false);
    expect(actionMatches('pricing.set_price', 'pricing.set_price')).toBe(true);
    expect(actionMatches('*.issue_refund', 'service.issue_refund')).toBe(true);
    expect(actionMatches('*', 'anything.at_all')).toBe(true);
  });

  it('scopes selectors to the caller tenant', () => {
    expect(scopeSelectorToTenant({ role: 'pricing' }, 'maison', false)).toEqual({
      ok: true,
      selector: { role: 'pricing', tenantId: 'maison' },
    });
    expect(scopeSelectorToTenant({ tenantId: 'maison' }, 'maison', false)).toEqual({
      ok: true,
      selector: { tenantId: 'maison' },
    });
    expect(scopeSelectorToTenant({ tenantId: 'other' }, 'maison', false).ok).toBe(false);
    expect(scopeSelectorToTenant({}, '*', true)).toEqual({ ok: true, selector: {} });
  });
});
