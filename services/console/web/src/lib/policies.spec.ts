import { joinFires } from './policies';

describe('joinFires', () => {
  const policies = [
    { id: 'retail.pricing.floor', version: '3', mode: 'enforce', file: 'pricing.yaml' },
    { id: 'retail.pricing.race', version: '1', mode: 'shadow', file: 'pricing.yaml' },
  ];
  it('counts fires of the active version and 0 when absent', () => {
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
        policyVersion: '2',
        mode: 'enforce',
        effect: 'deny',
        count: 40,
        lastFiredAt: '2026-11-23T10:00:00Z',
      },
    ]);
    expect(rows.map((r) => [r.id, r.fired, r.lastFiredAt, r.effects])).toEqual([
      ['retail.pricing.floor', 15, '2026-11-24T11:00:00Z', ['deny', 'modify']],
      ['retail.pricing.race', 0, null, []],
    ]);
    expect(other.map((f) => `${f.policyId}@${f.policyVersion}`)).toEqual(['retail.pricing.floor@2']);
  });
});
