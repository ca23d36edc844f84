import { CatalogEntry, checkPriceFloor } from './price-floor';

const bag: CatalogEntry = { tenantId: 't1', sku: 'BAG-1', price: 2000, floorPrice: 1500, cost: 700, flagship: true, brand: 'Maison', category: 'bags' };
const catalog = (tenant: string, sku: string) => (tenant === bag.tenantId && sku === bag.sku ? bag : undefined);
const intent = (params: Record<string, unknown>, action = 'pricing.set_price', tenantId = 't1') => ({
  action,
  params,
  agent: { id: 'a', tenantId, role: 'pricing' as const, version: '1', region: 'eu', labels: {} },
});

describe('checkPriceFloor', () => {
  it('ignores other actions', () => {
    expect(checkPriceFloor(intent({ sku: 'BAG-1', price: 1 }, 'shopping.recommend'), catalog)).toBeNull();
  });
  it('denies a price below the floor and names the policy', () => {
    const out = checkPriceFloor(intent({ sku: 'BAG-1', price: 1499.99 }), catalog)!;
    expect(out.verdict).toBe('deny');
    expect(out.reasons[0]).toMatchObject({ policyId: 'retail.price-floor', policyVersion: '1', effect: 'deny' });
    expect(out.reasons[0].message).toContain('below the floor 1500');
  });
  it('allows the floor itself', () => {
    expect(checkPriceFloor(intent({ sku: 'BAG-1', price: 1500 }), catalog)!.verdict).toBe('allow');
  });
  it('denies an unknown SKU and another tenant’s SKU (fail closed)', () => {
    expect(checkPriceFloor(intent({ sku: 'NOPE', price: 9999 }), catalog)!.verdict).toBe('deny');
    expect(checkPriceFloor(intent({ sku: 'BAG-1', price: 9999 }, 'pricing.set_price', 't2'), catalog)!.verdict).toBe('deny');
  });
  it('denies malformed params', () => {
    expect(checkPriceFloor(intent({ sku: 'BAG-1', price: '1600' }), catalog)!.verdict).toBe('deny');
    expect(checkPriceFloor(intent({ price: 1600 }), catalog)!.verdict).toBe('deny');
  });
});
