import { KnowledgeDocument, diffKnowledge } from '@agentops/knowledge';
import { DataSource } from 'typeorm';
import { KnowledgeVersionRepository } from '../../services/guardrail/src/knowledge/knowledge-version-repository';
import { NewKnowledgeVersion } from '../../services/guardrail/src/knowledge/knowledge-versions';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Guardrail's knowledge versions on the real PostgreSQL, connected as guardrail's own role: the
 * rules `InMemoryKnowledgeVersions` stands in for in `knowledge-import.spec.ts` (versions per
 * tenant, newest first, an append only on top of the version it was diffed against, one winner
 * of a race). The tenants are this suite's own and their rows are deleted at the end.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-kb-${name}-${RUN}`;

const documentOf = (skus: string[], asOf = '2026-12-01T10:00:00Z'): KnowledgeDocument =>
  KnowledgeDocument.parse({
    asOf,
    products: skus.map((sku) => ({ sku, name: `Product ${sku}`, price: { amount: 10, currency: 'EUR' } })),
  });

describe('KnowledgeVersionRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: KnowledgeVersionRepository;

  beforeAll(async () => {
    ds = await serviceDataSource('guardrail', 'knowledge-version-repository-test');
    repo = new KnowledgeVersionRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM knowledge_versions WHERE tenant_id LIKE $1`, [`it-kb-%-${RUN}`]);
    await ds?.destroy();
  });

  const next = (
    document: KnowledgeDocument,
    before?: KnowledgeDocument,
    importedBy = 'u1',
  ): NewKnowledgeVersion => ({
    document,
    diff: diffKnowledge(before, document),
    format: 'json',
    importedBy,
  });
  /** Appends versions 1..n of the tenant, each diffed against the one before. */
  const history = async (tenantId: string, docs: KnowledgeDocument[]) => {
    for (let i = 0; i < docs.length; i++)
      expect(await repo.append(tenantId, i, next(docs[i], docs[i - 1]))).not.toBeNull();
  };

  it('stores a version with its document, diff and summary, and reads it back whole by latest and by number', async () => {
    const t = tenant('roundtrip');
    expect(await repo.latest(t)).toBeNull();
    const doc = documentOf(['A', 'B']);
    const stored = await repo.append(t, 0, next(doc));
    expect(stored).toMatchObject({
      tenantId: t,
      kbVersion: 1,
      products: 2,
      format: 'json',
      importedBy: 'u1',
      document: doc,
    });
    expect(stored!.summary).toBe(stored!.diff.summary);
    expect(stored!.importedAt).toBeInstanceOf(Date);
    expect(await repo.latest(t)).toEqual(stored);
    expect(await repo.get(t, 1)).toEqual(stored);
    expect(await repo.get(t, 2)).toBeNull();
  });

  it('numbers each tenant’s versions on its own and never serves one tenant’s version to another', async () => {
    const [a, b] = [tenant('iso-a'), tenant('iso-b')];
    await history(a, [documentOf(['A1']), documentOf(['A1', 'A2'])]);
    await history(b, [documentOf(['B1'])]);
    expect((await repo.latest(a))?.kbVersion).toBe(2);
    expect((await repo.latest(b))?.document.products.map((p) => p.sku)).toEqual(['B1']);
    expect(await repo.get(b, 2)).toBeNull();
    expect((await repo.get(b, 1))?.tenantId).toBe(b);
    expect((await repo.list(b, 10)).map((v) => [v.tenantId, v.kbVersion])).toEqual([[b, 1]]);
    const latest = new Map((await repo.latestVersions()).map((v) => [v.tenantId, v.kbVersion]));
    expect([latest.get(a), latest.get(b), latest.get(tenant('iso-none'))]).toEqual([2, 1, undefined]);
  });

  it('lists summaries newest first, as many as asked, without documents, import times in version order', async () => {
    const t = tenant('list');
    await history(t, [
      documentOf(['A']),
      documentOf(['A', 'B']),
      documentOf(['A', 'B', 'C']),
      documentOf(['C']),
    ]);
    const listed = await repo.list(t, 3);
    expect(listed.map((v) => [v.kbVersion, v.products])).toEqual([
      [4, 1],
      [3, 3],
      [2, 2],
    ]);
    for (const v of listed)
      expect(Object.keys(v).sort()).toEqual([
        'format',
        'importedAt',
        'importedBy',
        'kbVersion',
        'products',
        'summary',
        'tenantId',
      ]);
    const times = listed.map((v) => v.importedAt.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(listed[0].summary).toBe(diffKnowledge(documentOf(['A', 'B', 'C']), documentOf(['C'])).summary);
  });

  it('refuses an append whose expected previous version is no longer the latest, and stores nothing', async () => {
    const t = tenant('stale');
    await history(t, [documentOf(['A']), documentOf(['A', 'B'])]);
    expect(await repo.append(t, 1, next(documentOf(['X'])))).toBeNull();
    expect(await repo.append(t, 0, next(documentOf(['X'])))).toBeNull();
    expect((await repo.latest(t))?.document.products.map((p) => p.sku)).toEqual(['A', 'B']);
    expect(await repo.list(t, 10)).toHaveLength(2);
  });

  it('refuses an append on top of a version the tenant does not have yet: versions have no gaps', async () => {
    const t = tenant('ahead');
    await history(t, [documentOf(['A'])]);
    expect(await repo.append(t, 5, next(documentOf(['X'])))).toBeNull();
    expect((await repo.list(t, 10)).map((v) => v.kbVersion)).toEqual([1]);
  });

  it('lets exactly one of concurrent imports diffed against the same version through', async () => {
    const t = tenant('race');
    await history(t, [documentOf(['A'])]);
    const docs = ['B', 'C', 'D', 'E'].map((sku) => documentOf(['A', sku]));
    const results = await Promise.all(docs.map((d, i) => repo.append(t, 1, next(d, undefined, `u${i}`))));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.kbVersion).toBe(2);
    expect(await repo.latest(t)).toEqual(winners[0]);
    expect((await repo.list(t, 10)).map((v) => v.kbVersion)).toEqual([2, 1]);
  });
});
