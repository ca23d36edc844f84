import { newEventId } from '@agentops/messaging';
import { serviceDataSourceOptions } from '@agentops/persistence';
import { DataSource } from 'typeorm';
import {
  FiredPolicy,
  PostgresPolicyFireRepository,
} from '../../services/console/src/policies/policy-fire-repository';
import { serviceDatabaseUrl } from '../support/test-database';

/**
 * The console's policy fire repository on the real PostgreSQL, connected as the console's own
 * role: the SQL the in-memory repository of the PolicyFireCounter unit spec stands in for
 * (exactly once per event id in one statement, sums over tenants, pruning). The tenants and
 * policy ids are this suite's own (named after the run) and are deleted at the end.
 */
const RUN = Date.now().toString(36);
const TENANT = `it-${RUN}`;
const RIVAL = `it-${RUN}-rival`;

describe('PostgresPolicyFireRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: PostgresPolicyFireRepository;
  const eventIds: string[] = [];
  let n = 0;
  const policy = (extra: Partial<FiredPolicy> = {}): FiredPolicy => ({
    policyId: `it-policy-${RUN}-${String(n++).padStart(4, '0')}`, // padded: the list's order is the ids' bytes
    policyVersion: '1',
    mode: 'enforce',
    effect: 'deny',
    ...extra,
  });
  const event = () => {
    const id = newEventId();
    eventIds.push(id);
    return id;
  };
  /** Every page of the list (other suites' fires included), this policy's rows. */
  const firesOf = async (policyId: string, tenantId?: string) => {
    const all = [];
    let cursor: string | undefined;
    do {
      const page = await repo.list(tenantId, { limit: 500, cursor });
      all.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return all.filter((f) => f.policyId === policyId);
  };

  beforeAll(async () => {
    ds = new DataSource(
      serviceDataSourceOptions({
        url: serviceDatabaseUrl('console'),
        schema: 'console',
        entities: [],
        migrations: [],
        applicationName: 'policy-fire-repository-test',
      }),
    );
    await ds.initialize();
    repo = new PostgresPolicyFireRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM policy_fires WHERE tenant_id = ANY($1::text[])`, [[TENANT, RIVAL]]);
    await ds?.query(`DELETE FROM counted_decisions WHERE event_id = ANY($1::uuid[])`, [eventIds]);
    await ds?.destroy();
  });

  it('counts every policy of a decision once, and a redelivered event id not at all', async () => {
    const [floor, cap] = [policy(), policy({ effect: 'escalate' })];
    const id = event();
    await repo.record([
      { eventId: id, tenantId: TENANT, fired: [floor, cap], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: id, tenantId: TENANT, fired: [floor, cap], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    expect(await firesOf(floor.policyId, TENANT)).toEqual([
      { ...floor, count: 1, lastFiredAt: '2026-12-01T09:00:00.000Z' },
    ]);
    expect(await firesOf(cap.policyId, TENANT)).toEqual([
      { ...cap, count: 1, lastFiredAt: '2026-12-01T09:00:00.000Z' },
    ]);
  });

  it('counts a chunk in one statement: a policy two decisions fired twice, a decision the chunk holds twice once', async () => {
    const [floor, cap] = [policy(), policy()];
    const [a, b] = [event(), event()];
    const fires = (eventId: string, fired: FiredPolicy[], firedAt: string, tenantId = TENANT) => ({
      eventId,
      tenantId,
      fired,
      firedAt,
    });
    await repo.record([
      fires(a, [floor, cap], '2026-12-01T09:00:00.000Z'),
      fires(b, [floor], '2026-12-01T09:30:00.000Z'),
      // A redelivery inside the same fetch, and one of the rival tenant's decisions.
      fires(a, [floor, cap], '2026-12-01T09:00:00.000Z'),
      fires(event(), [floor], '2026-12-01T10:00:00.000Z', RIVAL),
    ]);
    // And the whole chunk again, as after a rebalance: nothing more.
    await repo.record([
      fires(a, [floor, cap], '2026-12-01T09:00:00.000Z'),
      fires(b, [floor], '2026-12-01T09:30:00.000Z'),
    ]);
    expect(await firesOf(floor.policyId, TENANT)).toEqual([
      { ...floor, count: 2, lastFiredAt: '2026-12-01T09:30:00.000Z' },
    ]);
    expect(await firesOf(cap.policyId, TENANT)).toEqual([
      { ...cap, count: 1, lastFiredAt: '2026-12-01T09:00:00.000Z' },
    ]);
    expect(await firesOf(floor.policyId)).toEqual([
      { ...floor, count: 3, lastFiredAt: '2026-12-01T10:00:00.000Z' },
    ]);
  });

  it('adds up decisions, keeps the latest fire time whatever the order they arrive in', async () => {
    const floor = policy();
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:30:00.000Z' },
    ]);
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    expect(await firesOf(floor.policyId, TENANT)).toEqual([
      { ...floor, count: 2, lastFiredAt: '2026-12-01T09:30:00.000Z' },
    ]);
  });

  it('keeps mode and effect apart, lists by policy, version, mode and effect', async () => {
    const floor = policy();
    const shadow = { ...floor, mode: 'shadow' };
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: [shadow], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: [floor, shadow], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    const fires = await firesOf(floor.policyId, TENANT);
    expect(fires.map((f) => [f.mode, f.count])).toEqual([
      ['enforce', 1],
      ['shadow', 2],
    ]);
  });

  it('pages by that key: next leads on to the following rows, never repeating one', async () => {
    const versions = ['1', '2', '3', '4', '5'].map((policyVersion) => policy({ policyVersion }));
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: versions, firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    const first = await repo.list(TENANT, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.next).not.toBeNull();
    const second = await repo.list(TENANT, { limit: 2, cursor: first.next! });
    const keys = [...first.items, ...second.items].map((f) => `${f.policyId}@${f.policyVersion}`);
    expect(new Set(keys).size).toBe(4);
    expect([...keys].sort()).toEqual(keys);
  });

  it("lists a tenant's own counts, and every tenant's summed without one", async () => {
    const floor = policy();
    await repo.record([
      { eventId: event(), tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: event(), tenantId: RIVAL, fired: [floor], firedAt: '2026-12-01T10:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: event(), tenantId: RIVAL, fired: [floor], firedAt: '2026-12-01T08:00:00.000Z' },
    ]);
    expect((await firesOf(floor.policyId, TENANT)).map((f) => f.count)).toEqual([1]);
    expect((await firesOf(floor.policyId, RIVAL)).map((f) => f.count)).toEqual([2]);
    expect(await firesOf(floor.policyId)).toEqual([
      { ...floor, count: 3, lastFiredAt: '2026-12-01T10:00:00.000Z' },
    ]);
  });

  it('forgets event ids counted before the cut-off only: a forgotten one counts again, a kept one does not', async () => {
    const floor = policy();
    const [old, recent] = [event(), event()];
    await repo.record([
      { eventId: old, tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: recent, tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    // As if `old` had been counted in 2001 (no real row is that old, so the cut-off below takes only it).
    await ds.query(`UPDATE counted_decisions SET counted_at = '2001-01-01T00:00:00Z' WHERE event_id = $1`, [
      old,
    ]);
    await repo.forgetCountedBefore(new Date('2002-01-01T00:00:00Z'));
    await repo.record([
      { eventId: old, tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    await repo.record([
      { eventId: recent, tenantId: TENANT, fired: [floor], firedAt: '2026-12-01T09:00:00.000Z' },
    ]);
    expect((await firesOf(floor.policyId, TENANT)).map((f) => f.count)).toEqual([3]);
  });
});
