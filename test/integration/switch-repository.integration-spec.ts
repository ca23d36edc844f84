import { EventEnvelope, EventTypes, KillSwitchChangedV1 } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { Page } from '@agentops/service-runtime';
import { DataSource } from 'typeorm';
import { SwitchRecord, SwitchRepository } from '../../services/killswitch/src/switches/switch-repository';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Killswitch's switches and their history on the real PostgreSQL, connected as killswitch's own
 * role: the rules `InMemorySwitchRepository` stands in for in `switch-commands.spec.ts` (a release
 * under a row lock, at most once; active lists without expired switches; history newest first by
 * its sequence; tenant filters). The switches are of this suite's own tenants (flipped in 2001, so
 * nothing else lists them first) and deleted at the end.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-sw-${name}-${RUN}`;

describe('SwitchRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: SwitchRepository;
  const ids: string[] = [];

  beforeAll(async () => {
    ds = await serviceDataSource('killswitch', 'switch-repository-test');
    repo = new SwitchRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM switch_history WHERE switch_id = ANY($1::uuid[])`, [ids]);
    await ds?.query(`DELETE FROM switches WHERE id = ANY($1::uuid[])`, [ids]);
    await ds?.destroy();
  });

  const changed = (data: KillSwitchChangedV1) =>
    createEvent(EventTypes.KillSwitchChanged, data, {
      source: 'agentops/killswitch',
      tenantid: data.selector.tenantId ?? 'platform',
      subject: data.switchId,
      correlationid: data.switchId,
    }) as EventEnvelope<KillSwitchChangedV1>;
  const historyOf = async (switchId: string) =>
    (await repo.history(switchId, undefined, { limit: 100 })).items;
  const flip = async (tenantId: string, over: Partial<KillSwitchChangedV1> = {}) => {
    const event = changed({
      switchId: newEventId(),
      selector: { tenantId, role: 'pricing' },
      state: 'active',
      actor: 'user:sre',
      reason: 'runaway repricing',
      changedAt: '2001-01-01T00:00:00.000Z',
      ...over,
    });
    ids.push(event.data.switchId);
    stored.set(event.data.switchId, await repo.insertFlip(event));
    return event;
  };
  /** What `insertFlip` returned per switch id: the API answers with it instead of reading back. */
  const stored = new Map<string, SwitchRecord>();
  const releaseOf = (row: SwitchRecord, at = '2001-01-01T01:00:00.000Z') =>
    changed({
      switchId: row.id,
      selector: row.selector,
      state: 'released',
      actor: 'user:lead',
      reason: 'fixed',
      changedAt: at,
    });

  it('stores a flip with its event and a history entry, and reads it back', async () => {
    const t = tenant('flip');
    const event = await flip(t, { ticket: 'INC-1', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(await repo.find(event.data.switchId)).toEqual({
      id: event.data.switchId,
      tenantId: t,
      selector: { tenantId: t, role: 'pricing' },
      state: 'active',
      actor: 'user:sre',
      reason: 'runaway repricing',
      ticket: 'INC-1',
      expiresAt: '2099-01-01T00:00:00.000Z',
      flippedAt: '2001-01-01T00:00:00.000Z',
      releasedAt: null,
      releasedBy: null,
      releaseReason: null,
      lastEvent: event,
    });
    expect((await historyOf(event.data.switchId)).map((h) => [h.eventId, h.state, h.at])).toEqual([
      [event.id, 'active', '2001-01-01T00:00:00.000Z'],
    ]);
    expect(stored.get(event.data.switchId)).toEqual(await repo.find(event.data.switchId));
    expect(await repo.find(newEventId())).toBeNull();
  });

  it('stores a flip and its history entry atomically: a history entry refused leaves no switch', async () => {
    const first = await flip(tenant('atomic'));
    // A new switch whose event id is already in the history: the history INSERT fails (unique).
    const clash = { ...changed({ ...first.data, switchId: newEventId() }), id: first.id };
    ids.push(clash.data.switchId);
    await expect(repo.insertFlip(clash)).rejects.toThrow(/duplicate key/);
    expect(await repo.find(clash.data.switchId)).toBeNull();
    expect(await historyOf(first.data.switchId)).toHaveLength(1);
  });

  it('refuses a second flip with the same switch id and leaves no second history entry', async () => {
    const event = await flip(tenant('dup'));
    await expect(repo.insertFlip(changed({ ...event.data, reason: 'again' }))).rejects.toThrow(
      /duplicate key/,
    );
    expect(await historyOf(event.data.switchId)).toHaveLength(1);
    expect((await repo.find(event.data.switchId))?.reason).toBe('runaway repricing');
  });

  it('releases an active switch once: its row, last event and history; a second release changes nothing', async () => {
    const event = await flip(tenant('release'));
    const released = await repo.release(event.data.switchId, (row) => releaseOf(row));
    expect(released?.event?.data.state).toBe('released');
    expect(released?.row).toMatchObject({
      state: 'released',
      releasedAt: '2001-01-01T01:00:00.000Z',
      releasedBy: 'user:lead',
      releaseReason: 'fixed',
    });
    expect(released?.row.lastEvent).toEqual(released?.event);
    let built = 0;
    const again = await repo.release(event.data.switchId, (row) => {
      built++;
      return releaseOf(row, '2001-01-01T02:00:00.000Z');
    });
    expect(built).toBe(0);
    expect(again).toEqual({ row: released!.row });
    expect((await historyOf(event.data.switchId)).map((h) => h.state)).toEqual(['released', 'active']);
    expect(await repo.release(newEventId(), (row) => releaseOf(row))).toBeNull();
  });

  it('lets one of concurrent releases of a switch through: one release event, one history entry', async () => {
    const event = await flip(tenant('race'));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => repo.release(event.data.switchId, (row) => releaseOf(row))),
    );
    expect(results.filter((r) => r?.event)).toHaveLength(1);
    expect((await historyOf(event.data.switchId)).map((h) => h.state)).toEqual(['released', 'active']);
  });

  it('leaves a release undone when building its event fails', async () => {
    const event = await flip(tenant('release-fails'));
    await expect(
      repo.release(event.data.switchId, () => {
        throw new Error('no event');
      }),
    ).rejects.toThrow('no event');
    expect((await repo.find(event.data.switchId))?.state).toBe('active');
    expect(await historyOf(event.data.switchId)).toHaveLength(1);
  });

  it('lists a tenant’s switches newest first; active ones without released or expired ones', async () => {
    const [t, other] = [tenant('list'), tenant('list-other')];
    const old = await flip(t, { changedAt: '2001-01-01T00:00:00.000Z' });
    const expired = await flip(t, {
      changedAt: '2001-01-01T00:01:00.000Z',
      expiresAt: '2001-01-02T00:00:00.000Z',
    });
    const released = await flip(t, { changedAt: '2001-01-01T00:02:00.000Z' });
    await repo.release(released.data.switchId, (row) => releaseOf(row));
    const newest = await flip(t, {
      changedAt: '2001-01-01T00:03:00.000Z',
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
    await flip(other);
    const idsOf = (page: Page<SwitchRecord>) => page.items.map((r) => r.id);
    expect(idsOf(await repo.list('all', t, { limit: 100 }))).toEqual(
      [newest, released, expired, old].map((e) => e.data.switchId),
    );
    expect(idsOf(await repo.list('active', t, { limit: 100 }))).toEqual(
      [newest, old].map((e) => e.data.switchId),
    );
    const first = await repo.list('all', t, { limit: 2 });
    expect(idsOf(first)).toEqual([newest, released].map((e) => e.data.switchId));
    const second = await repo.list('all', t, { limit: 2, cursor: first.next! });
    expect(idsOf(second)).toEqual([expired, old].map((e) => e.data.switchId));
    expect(second.next).toBeNull();
    const everyTenant = (await repo.list('all', undefined, { limit: 100_000 })).items.filter((r) =>
      [t, other].includes(r.tenantId!),
    );
    expect(everyTenant).toHaveLength(5);
    // Expired but not yet released: what the sweeper releases.
    expect((await repo.dueForExpiry()).filter((id) => ids.includes(id))).toEqual([expired.data.switchId]);
    const active = (await repo.activeEvents()).filter((e) => e.data.selector.tenantId === t);
    expect(active.map((e) => e.data.switchId).sort()).toEqual(
      [old, expired, newest].map((e) => e.data.switchId).sort(),
    );
  });

  it('reads history newest first by sequence, per switch or per tenant, past 99 entries without text ordering', async () => {
    const [t, other] = [tenant('history'), tenant('history-other')];
    const flips: EventEnvelope<KillSwitchChangedV1>[] = [];
    for (let i = 0; i < 101; i++) flips.push(await flip(t));
    await flip(other);
    const { items: history, next } = await repo.history(undefined, t, { limit: 1000 });
    expect(next).toBeNull();
    expect(history).toHaveLength(101);
    expect(history.map((h) => h.switchId)).toEqual(flips.map((f) => f.data.switchId).reverse());
    const seqs = history.map((h) => BigInt(h.seq));
    expect(seqs.every((s, i) => i === 0 || s < seqs[i - 1])).toBe(true);
    const firstPage = await repo.history(undefined, t, { limit: 3 });
    expect(firstPage.items).toEqual(history.slice(0, 3));
    // Page after page past the 99th entry: the cursor's sequence compares as a number, not as text.
    const walked = [...firstPage.items];
    for (let cursor = firstPage.next; cursor;) {
      const page = await repo.history(undefined, t, { limit: 3, cursor });
      walked.push(...page.items);
      cursor = page.next;
    }
    expect(walked).toEqual(history);
    expect(
      (await repo.history(flips[0].data.switchId, t, { limit: 10 })).items.map((h) => h.eventId),
    ).toEqual([flips[0].id]);
    expect((await repo.history(flips[0].data.switchId, other, { limit: 10 })).items).toEqual([]);
  });
});
