import { CatalogEntry } from '@agentops/policy';
import {
  InMemoryCatalogRepository,
  InMemoryRetailFactsRepository,
  catalogCache,
  retailFactsCache,
} from './testing/context-doubles';

/** The in-memory retail context the decision path reads, over its repositories in memory. */
const item = (tenantId: string, sku: string, price = 100): CatalogEntry => ({
  tenantId,
  sku,
  price,
  floorPrice: 60,
  cost: 50,
  flagship: false,
  brand: 'Maison',
  category: 'shoes',
  stock: 3,
  velocity30d: 1,
  slowMover: false,
});

describe('CatalogCache', () => {
  it('serves an import at once, per tenant, with later imports replacing an SKU', async () => {
    const repo = new InMemoryCatalogRepository();
    const cache = catalogCache(repo);
    expect(
      await cache.importCatalog([item('maison', 'A'), item('maison', 'B'), item('other', 'A', 7)], 'u1'),
    ).toBe(3);
    expect(cache.lookup('maison', 'A')?.price).toBe(100);
    expect(cache.lookup('other', 'A')?.price).toBe(7);
    expect(cache.lookup('maison', 'C')).toBeUndefined();
    expect([cache.size, cache.countFor('maison'), cache.countFor('other'), cache.countFor('none')]).toEqual([
      3, 2, 1, 0,
    ]);
    await cache.importCatalog([item('maison', 'A', 120)]);
    expect(cache.lookup('maison', 'A')?.price).toBe(120);
    expect(repo.imports.map((i) => [i.tenantId, i.items, i.importedBy])).toEqual([
      ['maison', 2, 'u1'],
      ['other', 1, 'u1'],
      ['maison', 1, 'seed'],
    ]);
  });

  it("picks up another instance's import on refresh, and only then", async () => {
    const repo = new InMemoryCatalogRepository();
    const cache = catalogCache(repo);
    await catalogCache(repo).importCatalog([item('maison', 'A')]);
    expect(cache.lookup('maison', 'A')).toBeUndefined();
    await cache.refresh();
    expect(cache.lookup('maison', 'A')).toMatchObject({ sku: 'A', tenantId: 'maison' });
  });
});

describe('RetailFactsCache', () => {
  it('serves empty facts at version 0 before any import, then each import as the next version', async () => {
    const cache = retailFactsCache(new InMemoryRetailFactsRepository());
    expect(cache.forTenant('maison')).toEqual({ competitors: [], ownBrands: [], approvedFacts: [] });
    expect(cache.versionOf('maison')).toBe(0);
    const facts = { competitors: ['Rival'], ownBrands: ['Maison'], approvedFacts: [] };
    expect(await cache.importFacts('maison', facts, 'u1')).toBe(1);
    expect(await cache.importFacts('maison', { ...facts, competitors: ['Rival', 'Other'] }, 'u1')).toBe(2);
    expect(cache.versionOf('maison')).toBe(2);
    expect(cache.forTenant('maison').competitors).toEqual(['Rival', 'Other']);
    expect(cache.versionOf('other')).toBe(0);
  });

  it('fills the lists a stored version lacks with empty ones', async () => {
    const repo = new InMemoryRetailFactsRepository();
    repo.versions.push({ tenantId: 'maison', version: 4, facts: { competitors: ['Rival'] } });
    const cache = retailFactsCache(repo);
    await cache.refresh();
    expect(cache.forTenant('maison')).toEqual({ competitors: ['Rival'], ownBrands: [], approvedFacts: [] });
  });
});
