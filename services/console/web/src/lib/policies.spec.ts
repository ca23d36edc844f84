import { joinFires, layeredPolicies } from './policies';

describe('joinFires', () => {
  const policies = [
    { id: 'retail.pricing.floor', version: '3', mode: 'enforce', file: 'pricing.yaml' },
    { id: 'retail.pricing.race', version: '1', mode: 'shadow', file: 'pricing.yaml' },
  ];
  it('counts matches and fires (non-allow effects) of the active version, 0 when absent', () => {
    const { rows, other } = joinFires(policies, [
      {
        policyId: 'retail.pricing.floor',
        policyVersion: '3',
        mode: 'enforce',
        effect: 'deny',
        count: 12,
        lastFiredAt: '2026-11-24T10:00:00Z',
      },
      {
        policyId: 'retail.pricing.floor',
        policyVersion: '3',
        mode: 'enforce',
        effect: 'modify',
        count: 3,
        lastFiredAt: '2026-11-24T11:00:00Z',
      },
      {
        policyId: 'retail.pricing.floor',
        policyVersion: '3',
        mode: 'enforce',
        effect: 'allow',
        count: 85,
        lastFiredAt: '2026-11-24T12:00:00Z',
      },
      {
        policyId: 'retail.pricing.floor',
        policyVersion: '2',
        mode: 'enforce',
        effect: 'deny',
        count: 40,
        lastFiredAt: '2026-11-23T10:00:00Z',
      },
    ]);
    // Matched 100 times, fired (took effect) 15 times; passing evaluations are not fires.
    expect(rows.map((r) => [r.id, r.matched, r.fired, r.lastFiredAt, r.effects])).toEqual([
      ['retail.pricing.floor', 100, 15, '2026-11-24T11:00:00Z', ['deny', 'modify']],
      ['retail.pricing.race', 0, 0, null, []],
    ]);
    expect(other.map((f) => `${f.policyId}@${f.policyVersion}`)).toEqual(['retail.pricing.floor@2']);
  });
});

describe('layeredPolicies', () => {
  it('lists the baseline first, then the tenant’s own set, each labelled', () => {
    const rows = layeredPolicies({
      baseline: {
        version: 'b1',
        policies: [{ id: 'retail.floor', version: '2', mode: 'enforce', file: 'p.yaml' }],
      },
      tenant: {
        tenantId: 't1',
        version: 't9',
        policies: [{ id: 'house.refunds', version: '1', mode: 'shadow', file: 'h.yaml' }],
      },
    });
    expect(rows.map((r) => `${r.set}:${r.id}`)).toEqual(['baseline:retail.floor', 'tenant:house.refunds']);
  });

  it('shows the baseline alone when the tenant has no set of its own, or for a platform view', () => {
    const baseline = {
      version: 'b1',
      policies: [{ id: 'retail.floor', version: '2', mode: 'enforce', file: 'p.yaml' }],
    };
    expect(
      layeredPolicies({ baseline, tenant: { tenantId: 't1', version: null, policies: [] } }),
    ).toHaveLength(1);
    expect(layeredPolicies({ baseline, tenant: null })[0].set).toBe('baseline');
  });
});
