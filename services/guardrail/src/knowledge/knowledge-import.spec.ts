import { ActiveKnowledge } from '@agentops/knowledge-client';
import { DomainError } from '@agentops/service-runtime';
import { KnowledgeHistory } from './knowledge-history';
import { KnowledgeImport } from './knowledge-import';
import { KnowledgeRepair } from './knowledge-repair';
import { ManualClock } from '@agentops/service-runtime';
import { InMemoryKnowledgeVersions, RecordingDistribution } from './knowledge-doubles';

const product = (i: number, price = 100 + i) => ({
  sku: `MD-BAG-${String(i).padStart(5, '0')}`,
  name: `Tote ${i}`,
  price: { amount: price, currency: 'EUR' },
  stock: 5,
  materials: [{ material: 'calfskin', percent: 100 }],
});
const doc = (products: unknown[]) =>
  JSON.stringify({
    asOf: '2026-12-01T10:00:00Z',
    products,
    policies: { returns: { windowDays: 30, free: true }, delivery: [] },
  });
const ten = Array.from({ length: 10 }, (_, i) => product(i + 1));

function setup() {
  const clock = new ManualClock('2026-12-01T10:00:05Z');
  const versions = new InMemoryKnowledgeVersions(clock);
  const distribution = new RecordingDistribution();
  const active = new ActiveKnowledge();
  const importer = new KnowledgeImport(versions, distribution, active, clock);
  const history = new KnowledgeHistory(versions);
  const request = (
    content: string,
    extra: Partial<{ force: boolean; format: 'json' | 'yaml' | 'csv' }> = {},
  ) =>
    importer.import({ tenantId: 't1', format: 'json', content, force: false, importedBy: 'alice', ...extra });
  return { clock, versions, distribution, active, importer, history, request };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected the import to be refused');
}

describe('KnowledgeImport', () => {
  it('makes the first import version 1, serves it at once and distributes it', async () => {
    const { request, active, distribution } = setup();
    const result = await request(doc(ten));
    expect(result).toMatchObject({ tenantId: 't1', kbVersion: 1, changed: true, products: 10 });
    expect(result.diff.products.added).toHaveLength(10);
    expect(active.current('t1')?.kbVersion).toBe(1);
    expect(distribution.sent).toEqual([expect.objectContaining({ tenantId: 't1', kbVersion: 1 })]);
  });

  it('makes each changing import the next version, with its diff', async () => {
    const { request, history } = setup();
    await request(doc(ten));
    const second = await request(doc([...ten.slice(0, 9), product(10, 999)]));
    expect(second.kbVersion).toBe(2);
    expect(second.diff.products.changed).toEqual([
      {
        id: 'MD-BAG-00010',
        changes: [expect.objectContaining({ field: 'price', after: { amount: 999, currency: 'EUR' } })],
      },
    ]);
    const listed = await history.list('t1', { limit: 50 });
    expect([listed.items.map((v) => v.kbVersion), listed.next]).toEqual([[2, 1], null]);
    const newest = await history.list('t1', { limit: 1 });
    expect(newest.items.map((v) => v.kbVersion)).toEqual([2]);
    expect(
      (await history.list('t1', { limit: 1, cursor: newest.next! })).items.map((v) => v.kbVersion),
    ).toEqual([1]);
    const back = await history.diff('t1', 2, 1);
    expect(back.diff.products.changed[0].changes[0]).toMatchObject({
      before: { amount: 999 },
      after: { amount: 110 },
    });
  });

  it('keeps the current version when an import changes nothing', async () => {
    const { request, distribution } = setup();
    await request(doc(ten));
    const again = await request(doc(ten));
    expect(again).toMatchObject({ kbVersion: 1, changed: false, readTimesRefreshed: false });
    expect(distribution.sent).toHaveLength(1);
  });

  it('a re-import of unchanged facts read later keeps the version and moves its read times forward', async () => {
    const { request, active, distribution, versions } = setup();
    await request(doc(ten));
    const later = doc(ten).replace('2026-12-01T10:00:00Z', '2026-12-01T10:05:00Z');
    const again = await request(later);
    expect(again).toMatchObject({ kbVersion: 1, changed: false, readTimesRefreshed: true });
    expect(active.current('t1')?.compiled.version.document.asOf).toBe('2026-12-01T10:05:00Z');
    expect((await versions.latest('t1'))?.document.asOf).toBe('2026-12-01T10:05:00Z');
    expect(distribution.sent.map((a) => [a.kbVersion, (a.document as { asOf: string }).asOf])).toEqual([
      [1, '2026-12-01T10:00:00Z'],
      [1, '2026-12-01T10:05:00Z'],
    ]);
    // Read no later (or earlier): nothing moves, nothing is sent.
    const older = await request(doc(ten));
    expect(older).toMatchObject({ kbVersion: 1, changed: false, readTimesRefreshed: false });
    expect(active.current('t1')?.compiled.version.document.asOf).toBe('2026-12-01T10:05:00Z');
    expect(distribution.sent).toHaveLength(2);
  });

  it('refuses a malformed import naming the row and field, and applies nothing', async () => {
    const { request, versions, active } = setup();
    const bad = [product(1), { ...product(2), price: { amount: -5, currency: 'EUR' } }];
    const error = await refusal(request(doc(bad)));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('invalid');
    expect(error.message).toContain('products row 2 (sku MD-BAG-00002), field price.amount');
    expect(versions.rows).toHaveLength(0);
    expect(active.current('t1')).toBeUndefined();
  });

  it('refuses a CSV row with a bad cell naming its line and column', async () => {
    const { request } = setup();
    await request(doc(ten));
    const csv =
      'sku,name,price,currency,stock\nMD-BAG-00001,Tote 1,101,EUR,5\nMD-BAG-00002,Tote 2,abc,EUR,5\n';
    const error = await refusal(request(csv, { format: 'csv' }));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/row 3.*field price/);
  });

  it('needs force to remove more than a fifth of the products', async () => {
    const { request, versions } = setup();
    await request(doc(ten));
    const error = await refusal(request(doc(ten.slice(0, 7))));
    expect(error.code).toBe('refused');
    expect(error.message).toContain('removes 3 of 10 products');
    expect(versions.rows).toHaveLength(1);
    await expect(request(doc(ten.slice(0, 7)), { force: true })).resolves.toMatchObject({ kbVersion: 2 });
  });

  it('allows removing a fifth of the products without force', async () => {
    const { request } = setup();
    await request(doc(ten));
    await expect(request(doc(ten.slice(0, 8)))).resolves.toMatchObject({ kbVersion: 2, changed: true });
  });

  it('answers an unknown version in a diff as not found', async () => {
    const { request, history } = setup();
    await request(doc(ten));
    const error = await refusal(history.diff('t1', 1, 7));
    expect(error.code).toBe('not_found');
  });
});

describe('KnowledgeRepair', () => {
  it('republishes a stored version the topic never carried, and nothing else', async () => {
    const { request, versions, clock } = setup();
    await request(doc(ten));
    const distribution = new RecordingDistribution();
    const fresh = new ActiveKnowledge();
    const silent = { warn: () => undefined } as never;
    const repair = new KnowledgeRepair(versions, distribution, fresh, silent);
    expect(await repair.repair()).toBe(1);
    expect(fresh.current('t1')?.kbVersion).toBe(1);
    expect(distribution.sent.map((a) => a.kbVersion)).toEqual([1]);
    expect(await repair.repair()).toBe(0);
    expect(clock).toBeDefined();
  });
});
