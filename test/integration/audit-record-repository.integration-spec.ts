import { newEventId } from '@agentops/messaging';
import { InvalidCursor } from '@agentops/service-runtime';
import { DataSource } from 'typeorm';
import {
  AuditRecordRepository,
  RECORDS_KEYSET,
} from '../../services/audit/src/records/audit-record-repository';
import { auditChainWriter } from '../support/audit-chains';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Audit's record reads on the real PostgreSQL, connected as the audit service's own role: the
 * query API's tenant filter and other filters, keyset pages over (recorded_at, event_id) with
 * ties in recorded_at, counts and record owners. The records are appended through the chain
 * repository to this suite's own chains and tenants; audit's tables are append-only for its role,
 * so they stay in the run's database, which the global teardown drops.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-rec-${name}-${RUN}`;

describe('AuditRecordRepository on PostgreSQL', () => {
  let ds: DataSource;
  let records: AuditRecordRepository;
  let append: ReturnType<typeof auditChainWriter>['append'];

  beforeAll(async () => {
    ds = await serviceDataSource('audit', 'audit-record-repository-test');
    append = auditChainWriter(ds, `it-records-${RUN}`).append;
    records = new AuditRecordRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('answers a tenant’s query with its records only, and an every-tenant query with all of them', async () => {
    const [a, b] = [tenant('scope-a'), tenant('scope-b')];
    const mine = await append(a, [{}, {}]);
    const theirs = await append(b, [{}]);
    const page = await records.query({ tenantId: a, limit: 100 });
    expect(page.records.map((r) => r.eventId).sort()).toEqual(mine.map((r) => r.eventId).sort());
    expect(page.records.every((r) => r.tenantId === a)).toBe(true);
    expect(page.next).toBeNull();
    expect((await records.query({ tenantId: tenant('scope-none'), limit: 100 })).records).toEqual([]);
    const all = await records.query({ limit: 100_000 });
    const ids = new Set(all.records.map((r) => r.eventId));
    expect([...mine, ...theirs].every((r) => ids.has(r.eventId))).toBe(true);
  });

  it('shows records without their sealed values, as stored otherwise', async () => {
    const t = tenant('shape');
    const [stored] = await append(t, [{ agentId: 'agent-shape' }]);
    const [shown] = (await records.query({ tenantId: t, limit: 10 })).records;
    expect(shown).not.toHaveProperty('sealed');
    expect(shown).toMatchObject({
      eventId: stored.eventId,
      chainId: stored.chainId,
      sequence: stored.sequence,
      hash: stored.hash,
      agentId: 'agent-shape',
      recordedAt: stored.recordedAt,
    });
  });

  it('narrows by agent, type and verdict within the tenant', async () => {
    const t = tenant('filters');
    const stored = await append(t, [
      { agentId: 'agent-a', verdict: 'deny' },
      { agentId: 'agent-a', verdict: 'allow' },
      { agentId: 'agent-b', verdict: 'deny' },
      { agentId: 'agent-a', type: 'agentops.intent.proposed.v1' },
    ]);
    const ids = async (q: Parameters<AuditRecordRepository['query']>[0]) =>
      (await records.query(q)).records.map((r) => r.eventId).sort();
    expect(await ids({ tenantId: t, agentId: 'agent-a', limit: 10 })).toEqual(
      [stored[0], stored[1], stored[3]].map((r) => r.eventId).sort(),
    );
    expect(
      await ids({ tenantId: t, verdict: 'deny', type: 'agentops.intent.decided.v1', limit: 10 }),
    ).toEqual([stored[0], stored[2]].map((r) => r.eventId).sort());
    expect(await ids({ tenantId: tenant('filters-other'), agentId: 'agent-a', limit: 10 })).toEqual([]);
  });

  it('pages through records recorded at one instant without repeating or skipping one', async () => {
    const t = tenant('pages');
    const stored = await append(
      t,
      Array.from({ length: 7 }, () => ({})),
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await records.query({ tenantId: t, limit: 3, cursor });
      seen.push(...page.records.map((r) => r.eventId));
      cursor = page.next ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(stored.map((r) => r.eventId).sort());
  });

  it('pages across instants in recorded order and narrows by time', async () => {
    const t = tenant('time');
    const t0 = new Date();
    const at = (ms: number) => new Date(t0.getTime() + ms).toISOString();
    const early = await append(t, [{}], at(0));
    const middle = await append(t, [{}], at(1000));
    const late = await append(t, [{}], at(2000));
    expect((await records.query({ tenantId: t, limit: 10 })).records.map((r) => r.eventId)).toEqual(
      [early, middle, late].map((c) => c[0].eventId),
    );
    const first = await records.query({ tenantId: t, limit: 1 });
    const second = await records.query({ tenantId: t, limit: 1, cursor: first.next! });
    expect(second.records.map((r) => r.eventId)).toEqual([middle[0].eventId]);
    expect(
      (await records.query({ tenantId: t, from: at(500), to: at(2000), limit: 10 })).records.map(
        (r) => r.eventId,
      ),
    ).toEqual([middle[0].eventId]);
  });

  it('refuses a cursor it did not issue as an invalid cursor, and an issued one past the end gives an empty page', async () => {
    const t = tenant('cursor');
    await append(t, [{}]);
    await expect(records.query({ tenantId: t, limit: 10, cursor: 'garbage' })).rejects.toBeInstanceOf(
      InvalidCursor,
    );
    const end = RECORDS_KEYSET.encode(['2999-01-01T00:00:00.000Z', newEventId()]);
    expect(await records.query({ tenantId: t, limit: 10, cursor: end })).toEqual({
      records: [],
      next: null,
      nextCursor: null,
    });
  });

  it('counts a tenant’s records and names the owner of each known event id', async () => {
    const [a, b] = [tenant('count-a'), tenant('count-b')];
    const ra = await append(a, [{}, {}, {}]);
    const rb = await append(b, [{}]);
    expect([
      await records.count(a),
      await records.count(b),
      await records.count(tenant('count-none')),
    ]).toEqual([3, 1, 0]);
    expect(await records.count()).toBeGreaterThanOrEqual(4);
    const unknown = newEventId();
    expect(await records.tenantsOf([ra[0].eventId, rb[0].eventId, unknown])).toEqual(
      new Map([
        [ra[0].eventId, a],
        [rb[0].eventId, b],
      ]),
    );
    expect(await records.tenantsOf([])).toEqual(new Map());
  });
});
