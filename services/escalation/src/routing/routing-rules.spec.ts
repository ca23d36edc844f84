import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onSlaBreach, parseRoutingRules, routeFor } from './routing-rules';

const rules = parseRoutingRules(
  readFileSync(join(__dirname, '../../../../policies/escalation/routes.yaml'), 'utf8'),
);

describe('escalation routing', () => {
  it('sends refunds above 500 to service-leads with four-eyes, smaller ones to service reviewers', () => {
    const big = routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: 900 } });
    expect(big).toMatchObject({ name: 'large-refunds', fourEyes: true });
    expect(big.tiers[0].group).toBe('service-leads');
    expect(
      routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: 500 } }).name,
    ).toBe('customer-service');
    expect(
      routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: 'n/a' } }).name,
    ).toBe('customer-service');
  });

  it('sends flagship pricing to brand-pricing and the rest to the default queue', () => {
    expect(
      routeFor(rules, { tenantId: 't', action: 'pricing.set_price', params: { flagship: true } }).tiers[0]
        .group,
    ).toBe('brand-pricing');
    expect(routeFor(rules, { tenantId: 't', action: 'pricing.set_price', params: {} }).name).toBe('default');
    expect(routeFor(rules, { tenantId: 't', action: 'shopping.recommend' }).name).toBe('default');
  });

  it('matches tenants, roles, targets and labels', () => {
    const custom = parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - name: r
    match: { tenants: ["maison-*"], agentRoles: [pricing], targets: ["BAG-*"], labels: { brand: maison } }
    tiers: [{ group: g, slaMs: 1000 }]
`);
    const facts = {
      tenantId: 'maison-eu',
      action: 'pricing.set_price',
      agentRole: 'pricing',
      targetId: 'BAG-1',
      agentLabels: { brand: 'maison' },
    };
    expect(routeFor(custom, facts).name).toBe('r');
    expect(routeFor(custom, { ...facts, tenantId: 'other' }).name).toBe('d');
    expect(routeFor(custom, { ...facts, agentRole: 'service' }).name).toBe('d');
    expect(routeFor(custom, { ...facts, targetId: 'SCARF-1' }).name).toBe('d');
    expect(routeFor(custom, { ...facts, agentLabels: {} }).name).toBe('d');
  });

  it('rejects invalid rules with the field path', () => {
    expect(() => parseRoutingRules('default: { name: d, tiers: [] }')).toThrow(/default.tiers/);
  });

  it('moves to the next tier on breach, then to the timeout outcome', () => {
    const route = routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: 900 } });
    const now = new Date(0);
    expect(onSlaBreach(route, 0, now)).toEqual({
      kind: 'next-tier',
      tier: 1,
      group: 'service-directors',
      dueAt: new Date(3600000),
    });
    expect(onSlaBreach(route, 1, now)).toEqual({ kind: 'timeout', outcome: 'deny' });
  });
});
