import { CatalogEntry, RetailFacts } from '@agentops/policy';
import { DataSource } from 'typeorm';
import { PostgresCatalogRepository } from '../../services/guardrail/src/context/catalog-repository';
import { PostgresRetailFactsRepository } from '../../services/guardrail/src/context/retail-facts-repository';
import { CatalogItemEntity } from '../../services/guardrail/src/persistence/entities';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Guardrail's retail context repositories on the real PostgreSQL, connected as guardrail's own
 * role: the SQL that `context-caches.spec.ts` stands in for with in-memory doubles (upsert by
 * tenant and SKU, one import row per tenant, one version more per retail-facts import). The
 * tenants are this suite's own and their rows are deleted at the end.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-ctx-${name}-${RUN}`;

const item = (tenantId: string, sku: string, over: Partial<CatalogEntry> = {}): CatalogEntry => ({
  tenantId,
  sku,
  price: 100,
  floorPrice: 60,
  cost: 50,
  flagship: false,
  brand: 'Maison',
  category: 'shoes',
  ...over,
});

describe('guardrail context repositories on PostgreSQL', () => {
  let ds: DataSource;
  let catalog: PostgresCatalogRepository;
  let facts: PostgresRetailFactsRepository;
  const mineOnly = async (tenants: string[]) =>
    (await catalog.allItems()).filter((i) => tenants.includes(i.tenantId));

  beforeAll(async () => {
    ds = await serviceDataSource('guardrail', 'guardrail-context-test', [CatalogItemEntity]);
    catalog = new PostgresCatalogRepository(ds);
    facts = new PostgresRetailFactsRepository(ds);
  });

  afterAll(async () => {
    const like = `it-ctx-%-${RUN}`;
    await ds?.query(`DELETE FROM catalog_items WHERE tenant_id LIKE $1`, [like]);
    await ds?.query(`DELETE FROM catalog_imports WHERE tenant_id LIKE $1`, [like]);
    await ds?.query(`DELETE FROM retail_facts WHERE tenant_id LIKE $1`, [like]);
    await ds?.destroy();
  });

  describe('PostgresCatalogRepository', () => {
    it('stores every column as imported, with numbers back as numbers and the stock defaults filled in', async () => {
      const t = tenant('columns');
      await catalog.importCatalog(
        [
          item(t, 'FULL', {
            price: 1234.56,
            floorPrice: 999.99,
            cost: 0.01,
            flagship: true,
            stock: 7,
            velocity30d: 3,
            slowMover: true,
          }),
          item(t, 'BARE'),
        ],
        'u1',
      );
      const stored = new Map((await mineOnly([t])).map((i) => [i.sku, i]));
      expect({ ...stored.get('FULL') }).toEqual(
        item(t, 'FULL', {
          price: 1234.56,
          floorPrice: 999.99,
          cost: 0.01,
          flagship: true,
          stock: 7,
          velocity30d: 3,
          slowMover: true,
        }),
      );
      expect({ ...stored.get('BARE') }).toEqual(
        item(t, 'BARE', { stock: 0, velocity30d: 0, slowMover: false }),
      );
    });

    it('upserts by tenant and SKU: a later import replaces the SKU in its tenant and leaves the same SKU of another tenant alone', async () => {
      const [a, b] = [tenant('up-a'), tenant('up-b')];
      await catalog.importCatalog([
        item(a, 'SKU-1', { price: 10, stock: 5 }),
        item(a, 'SKU-2'),
        item(b, 'SKU-1', { price: 77 }),
      ]);
      await catalog.importCatalog([item(a, 'SKU-1', { price: 12, stock: 1, brand: 'Other' })]);
      const rows = (await mineOnly([a, b])).map((i) => [i.tenantId, i.sku, i.price, i.stock, i.brand]).sort();
      expect(rows).toEqual(
        [
          [a, 'SKU-1', 12, 1, 'Other'],
          [a, 'SKU-2', 100, 0, 'Maison'],
          [b, 'SKU-1', 77, 0, 'Maison'],
        ].sort(),
      );
    });

    it('stores an import larger than one upsert statement (500 rows) whole', async () => {
      const t = tenant('large');
      const entries = Array.from({ length: 1201 }, (_, i) => item(t, `SKU-${i}`, { price: i }));
      expect(await catalog.importCatalog(entries)).toBe(1201);
      const stored = await mineOnly([t]);
      expect(stored).toHaveLength(1201);
      expect(stored.find((i) => i.sku === 'SKU-1200')?.price).toBe(1200);
    });

    it('takes an SKU listed twice in one import, the later entry winning', async () => {
      const t = tenant('twice');
      await catalog.importCatalog([
        item(t, 'DUP', { price: 1 }),
        item(t, 'OTHER'),
        item(t, 'DUP', { price: 2 }),
      ]);
      expect((await mineOnly([t])).map((i) => [i.sku, i.price]).sort()).toEqual([
        ['DUP', 2],
        ['OTHER', 100],
      ]);
    });

    it('records one import per tenant and import, and summarises only the asked tenant', async () => {
      const [a, b, none] = [tenant('sum-a'), tenant('sum-b'), tenant('sum-none')];
      expect(await catalog.importSummaryFor(none)).toEqual({ imports: 0, lastImportAt: null });
      await catalog.importCatalog([item(a, 'X'), item(a, 'Y'), item(b, 'X')], 'u1');
      await catalog.importCatalog([item(a, 'Z')], 'u2');
      const sa = await catalog.importSummaryFor(a);
      const sb = await catalog.importSummaryFor(b);
      expect([sa.imports, sb.imports]).toEqual([2, 1]);
      expect(sa.lastImportAt).toBeInstanceOf(Date);
      expect(sa.lastImportAt!.getTime()).toBeGreaterThanOrEqual(sb.lastImportAt!.getTime());
      const rows = (await ds.query(
        `SELECT items, imported_by FROM catalog_imports WHERE tenant_id = $1 ORDER BY id`,
        [a],
      )) as { items: number; imported_by: string }[];
      expect(rows).toEqual([
        { items: 2, imported_by: 'u1' },
        { items: 1, imported_by: 'u2' },
      ]);
      expect(await catalog.importSummaryFor(none)).toEqual({ imports: 0, lastImportAt: null });
    });
  });

  describe('PostgresRetailFactsRepository', () => {
    const factsOf = (n: number): RetailFacts => ({
      competitors: [`Rival ${n}`],
      ownBrands: ['Maison'],
      approvedFacts: [`fact ${n}`],
    });
    const latestOf = async (t: string) => (await facts.latestPerTenant()).find((f) => f.tenantId === t);

    it('numbers each tenant’s versions from 1 on its own and serves each tenant’s latest', async () => {
      const [a, b] = [tenant('facts-a'), tenant('facts-b')];
      expect(await latestOf(a)).toBeUndefined();
      expect(await facts.storeNextVersion(a, factsOf(1), 'u1')).toBe(1);
      expect(await facts.storeNextVersion(a, factsOf(2), 'u1')).toBe(2);
      expect(await facts.storeNextVersion(b, factsOf(9), 'u2')).toBe(1);
      expect(await facts.storeNextVersion(a, factsOf(3), 'u1')).toBe(3);
      expect(await latestOf(a)).toEqual({ tenantId: a, version: 3, facts: factsOf(3) });
      expect(await latestOf(b)).toEqual({ tenantId: b, version: 1, facts: factsOf(9) });
      expect(
        (
          (await ds.query(`SELECT count(*)::int AS n FROM retail_facts WHERE tenant_id = $1`, [a])) as {
            n: number;
          }[]
        )[0].n,
      ).toBe(3);
    });

    it('gives concurrent imports of one tenant one version each, in a row, none refused', async () => {
      const t = tenant('facts-race');
      await facts.storeNextVersion(t, factsOf(0), 'u0');
      const versions = await Promise.all(
        Array.from({ length: 4 }, (_, i) => facts.storeNextVersion(t, factsOf(i + 1), `u${i + 1}`)),
      );
      expect([...versions].sort((x, y) => x - y)).toEqual([2, 3, 4, 5]);
      const stored = (await ds.query(
        `SELECT version, facts, imported_by FROM retail_facts WHERE tenant_id = $1 ORDER BY version`,
        [t],
      )) as { version: number; facts: RetailFacts; imported_by: string }[];
      expect(stored.map((s) => s.version)).toEqual([1, 2, 3, 4, 5]);
      // Each caller was told the version its own facts were stored under.
      versions.forEach((v, i) => {
        const row = stored.find((s) => s.version === v)!;
        expect([row.facts, row.imported_by]).toEqual([factsOf(i + 1), `u${i + 1}`]);
      });
    });
  });
});
