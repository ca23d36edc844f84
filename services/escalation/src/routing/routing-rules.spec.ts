import { DEVELOPMENT_EGRESS } from '@agentops/egress';
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
  });

  it('reads a missing or non-numeric amount as unbounded: it cannot dodge the large-refunds route', () => {
    for (const amount of ['n/a', '', ' ', null, undefined, NaN, { value: 900 }, [900]])
      expect(
        routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount } }).name,
      ).toBe('large-refunds');
    expect(
      routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: '900' } }).name,
    ).toBe('large-refunds');
    expect(
      routeFor(rules, { tenantId: 't', action: 'service.issue_refund', params: { amount: '120' } }).name,
    ).toBe('customer-service');
  });

  const item = (flagship: boolean) => ({
    found: true,
    sku: 'BAG-9',
    flagship,
    brand: 'Maison',
    category: 'bags',
  });

  it('sends flagship pricing to brand-pricing by the catalog facts, whatever the params claim', () => {
    const pricing = { tenantId: 't', action: 'pricing.set_price' };
    expect(routeFor(rules, { ...pricing, item: item(true), params: { flagship: false } })).toMatchObject({
      name: 'flagship-pricing',
      fourEyes: true,
    });
    expect(routeFor(rules, { ...pricing, item: item(true), params: {} }).tiers[0].group).toBe(
      'brand-pricing',
    );
    expect(routeFor(rules, { ...pricing, item: item(false), params: { flagship: true } }).name).toBe(
      'default',
    );
    expect(routeFor(rules, { tenantId: 't', action: 'shopping.recommend', item: item(true) }).name).toBe(
      'default',
    );
  });

  it('without catalog facts, takes the strictest route the facts could have led to', () => {
    expect(routeFor(rules, { tenantId: 't', action: 'pricing.set_price', params: {} })).toMatchObject({
      name: 'flagship-pricing',
      fourEyes: true,
    });
    const lenientFirst = parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - { name: ordinary, match: { item: { flagship: false } }, tiers: [{ group: a, slaMs: 1000 }] }
  - { name: strict, match: { actions: ["pricing.*"] }, tiers: [{ group: b, slaMs: 1000 }], fourEyes: true }
`);
    expect(routeFor(lenientFirst, { tenantId: 't', action: 'pricing.set_price' }).name).toBe('strict');
    expect(
      routeFor(lenientFirst, { tenantId: 't', action: 'pricing.set_price', item: item(false) }).name,
    ).toBe('ordinary');
    expect(routeFor(lenientFirst, { tenantId: 't', action: 'shopping.recommend' }).name).toBe('ordinary');
  });

  it('matches catalog brands, categories and SKU globs', () => {
    const custom = parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - name: bags
    match: { item: { found: true, brands: [Maison], categories: [bags], skus: ["BAG-*"] } }
    tiers: [{ group: g, slaMs: 1000 }]
`);
    const f = { tenantId: 't', action: 'pricing.set_price', item: item(false) };
    expect(routeFor(custom, f).name).toBe('bags');
    expect(routeFor(custom, { ...f, item: { ...item(false), brand: 'Other' } }).name).toBe('d');
    expect(routeFor(custom, { ...f, item: { ...item(false), category: 'shoes' } }).name).toBe('d');
    expect(routeFor(custom, { ...f, item: { ...item(false), sku: 'SCARF-1' } }).name).toBe('d');
    expect(routeFor(custom, { ...f, item: { ...item(false), found: false } }).name).toBe('d');
  });

  it('refuses a params claim that could lower the approvals needed, and accepts one that can only raise them', () => {
    expect(() =>
      parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - { name: claimed, match: { params: { flagship: true } }, tiers: [{ group: a, slaMs: 1000 }], fourEyes: true }
  - { name: urgent, match: { params: { urgent: true } }, tiers: [{ group: a, slaMs: 1000 }] }
  - { name: big, match: { minAmount: 500 }, tiers: [{ group: b, slaMs: 1000 }], fourEyes: true }
`),
    ).toThrow(
      /routes\.1\.match\.params: route urgent keys on the agent's claims \(urgent\).*route big below it needs 2/,
    );
    expect(
      parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - { name: slow, match: { params: { slow: true } }, tiers: [{ group: a, slaMs: 1000 }] }
`).routes,
    ).toHaveLength(1);
  });

  it('refuses a webhook that is not https to a public address (loopback http in development mode only)', () => {
    const withHook = (url: string) => `
default: { name: d, tiers: [{ group: q, slaMs: 1000 }], notifyUrl: "${url}" }
`;
    expect(() => parseRoutingRules(withHook('http://hooks.example.com/x'))).toThrow(
      /default\.notifyUrl: must use https/,
    );
    expect(() => parseRoutingRules(withHook('https://169.254.169.254/latest'))).toThrow(
      /default\.notifyUrl: points at 169\.254\.169\.254, a link-local address/,
    );
    expect(() => parseRoutingRules(withHook('http://127.0.0.1:9/x'))).toThrow(/must use https/);
    expect(parseRoutingRules(withHook('http://127.0.0.1:9/x'), DEVELOPMENT_EGRESS).default.notifyUrl).toBe(
      'http://127.0.0.1:9/x',
    );
    expect(parseRoutingRules(withHook('https://hooks.example.com/x')).default.notifyUrl).toBe(
      'https://hooks.example.com/x',
    );
  });

  it('refuses globs beyond the caps, naming the route field', () => {
    expect(() =>
      parseRoutingRules(`
default: { name: d, tiers: [{ group: q, slaMs: 1000 }] }
routes:
  - { name: r, match: { targets: ["*a*a*a*a*a*b"] }, tiers: [{ group: g, slaMs: 1000 }] }
`),
    ).toThrow('routes.0.match.targets.0: at most 4 * wildcards (found 6)');
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
