import { EventEnvelope, RolloutTransitionedV1 } from '@agentops/contracts';
import { newEventId } from '@agentops/messaging';
import { emptyRolloutStats, openStratum, recordArmFact } from '@agentops/rollout-analysis';
import { DomainError } from '@agentops/service-runtime';
import { DataSource } from 'typeorm';
import { PgRolloutStore } from '../../services/rollout/src/rollouts/pg-rollout-store';
import { rolloutTransitionEvent } from '../../services/rollout/src/rollouts/rollout-events';
import { RolloutRecord } from '../../services/rollout/src/rollouts/rollout-store';
import { decisionEvent, intentEvent } from '../../services/rollout/src/testing/rollout-fixtures';
import { serviceDataSource } from '../support/service-data-source';

/**
 * The rollout service's store on the real PostgreSQL, connected as its own role: the rules
 * `InMemoryRolloutStore` stands in for in the rollout unit specs (one live rollout per tenant and
 * key, changes under a row lock written with their transitions in one transaction, events counted
 * once per rollout, intents and pending facts, unit-path evidence per tenant). The tenants are this
 * suite's own; every row they made is deleted at the end (and every transition marked published
 * while the suite runs is this suite's), so no rollout service of a later suite sees them.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-ro-${name}-${RUN}`;
const AT = '2026-03-02T09:00:00.000Z';

describe('PgRolloutStore on PostgreSQL', () => {
  let ds: DataSource;
  let store: PgRolloutStore;
  const rolloutIds: string[] = [];
  const intentIds: string[] = [];

  beforeAll(async () => {
    ds = await serviceDataSource('rollout', 'rollout-store-test');
    store = new PgRolloutStore(ds);
  });

  afterAll(async () => {
    const ids = [rolloutIds];
    await ds?.query(`DELETE FROM rollout_transitions WHERE rollout_id = ANY($1::uuid[])`, ids);
    await ds?.query(`DELETE FROM rollout_intents WHERE rollout_id = ANY($1::uuid[])`, ids);
    await ds?.query(`DELETE FROM rollout_counted_events WHERE rollout_id = ANY($1::uuid[])`, ids);
    await ds?.query(`DELETE FROM rollouts WHERE id = ANY($1::uuid[])`, ids);
    await ds?.query(`DELETE FROM rollout_pending_facts WHERE intent_id = ANY($1::uuid[])`, [intentIds]);
    await ds?.query(`DELETE FROM rollout_unit_paths WHERE tenant_id LIKE $1`, [`it-ro-%-${RUN}`]);
    await ds?.destroy();
  });

  const recordOf = (
    tenantId: string,
    key = 'pricing-v2',
    over: Partial<RolloutRecord> = {},
  ): RolloutRecord => {
    const stats = emptyRolloutStats();
    openStratum(stats, 0, { v1: 90, v2: 10 });
    const record: RolloutRecord = {
      id: newEventId(),
      tenantId,
      key,
      document: { apiVersion: 'agentops.io/v1', kind: 'AgentRollout', metadata: { name: key } },
      salt: 'a1b2c3d4e5f6a1b2c3d4e5f6',
      state: { status: 'running', stepIndex: 0, stepStartedAt: Date.parse(AT), weights: { v1: 90, v2: 10 } },
      stats,
      generation: 1,
      halts: [],
      createdBy: 'sre@it',
      createdAt: AT,
      updatedAt: AT,
      ...over,
    };
    rolloutIds.push(record.id);
    return record;
  };
  const transitionOf = (record: RolloutRecord, transition: RolloutTransitionedV1['transition'] = 'applied') =>
    rolloutTransitionEvent('agentops/rollout', record, { transition, actor: 'sre@it', reason: transition });
  const applied = async (tenantId: string, key?: string, over?: Partial<RolloutRecord>) => {
    const record = recordOf(tenantId, key, over);
    await store.insert(record, transitionOf(record));
    return record;
  };
  /** A change that moves the rollout to `status` and records one transition. */
  const moveTo = (id: string, status: RolloutRecord['state']['status'], at = '2026-03-02T10:00:00.000Z') =>
    store.mutate(id, async (current) => {
      const record = {
        ...current,
        state: { ...current.state, status },
        generation: current.generation + 1,
        updatedAt: at,
      };
      return {
        record,
        transitions: [transitionOf(record, status === 'paused' ? 'paused' : 'concluded')],
        result: record,
      };
    });

  it('stores a rollout with its applied transition and reads it back as stored, by id and by key', async () => {
    const record = recordOf(tenant('roundtrip'));
    expect(
      recordArmFact(record.stats, 'v2', {
        kind: 'decision',
        verdict: 'deny',
        decidedBy: 'policy',
        latencyMs: 12,
      }),
    ).toBe(true);
    const transition = transitionOf(record);
    await store.insert(record, transition);
    expect(await store.find(record.id)).toEqual(record);
    expect(await store.findByKey(record.tenantId, record.key)).toEqual(record);
    expect(await store.transitions(record.id)).toEqual([transition]);
    expect(await store.find(newEventId())).toBeNull();
    expect(await store.findByKey(tenant('roundtrip-none'), record.key)).toBeNull();
  });

  it('refuses a second live rollout of a key in a tenant as a conflict, storing neither row nor transition', async () => {
    const t = tenant('live-key');
    await applied(t);
    const second = recordOf(t);
    const error = await store.insert(second, transitionOf(second)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('conflict');
    expect(await store.find(second.id)).toBeNull();
    expect(await store.transitions(second.id)).toEqual([]);
    // Another tenant's rollout of the same key is its own.
    await expect(applied(tenant('live-key-other'))).resolves.toBeDefined();
  });

  it('applies a finished key again, and by key serves the newest', async () => {
    const t = tenant('again');
    const first = await applied(t, 'pricing-v2', { createdAt: '2026-03-01T09:00:00.000Z' });
    await moveTo(first.id, 'concluded');
    const second = await applied(t, 'pricing-v2', { createdAt: '2026-03-02T09:00:00.000Z' });
    expect((await store.findByKey(t, 'pricing-v2'))?.id).toBe(second.id);
  });

  it('lists one tenant’s rollouts newest first, and live ones (running, paused) oldest first', async () => {
    const [t, other] = [tenant('list'), tenant('list-other')];
    const a = await applied(t, 'a', { createdAt: '2026-03-02T08:00:00.000Z' });
    const b = await applied(t, 'b', { createdAt: '2026-03-02T08:30:00.000Z' });
    const c = await applied(t, 'c', { createdAt: '2026-03-02T08:45:00.000Z' });
    await applied(other, 'a');
    await moveTo(b.id, 'paused');
    await moveTo(c.id, 'concluded');
    expect((await store.list(t, { limit: 10 })).items.map((r) => r.key)).toEqual(['c', 'b', 'a']);
    const firstPage = await store.list(t, { limit: 2 });
    const lastPage = await store.list(t, { limit: 2, cursor: firstPage.next! });
    expect([firstPage.items.map((r) => r.key), lastPage.items.map((r) => r.key), lastPage.next]).toEqual([
      ['c', 'b'],
      ['a'],
      null,
    ]);
    expect((await store.live(t)).map((r) => [r.key, r.state.status])).toEqual([
      ['a', 'running'],
      ['b', 'paused'],
    ]);
    const everyTenant = (await store.live()).filter((r) => [t, other].includes(r.tenantId));
    expect(everyTenant.map((r) => r.id)).toContain(a.id);
    expect(everyTenant).toHaveLength(3);
    expect((await store.list(undefined, { limit: 500 })).items.some((r) => r.tenantId === other)).toBe(true);
    expect((await store.findByKey(undefined, 'c'))?.key).toBe('c');
  });

  it('writes a change and its transitions together, and nothing of a change that throws, the event claim included', async () => {
    const r = await applied(tenant('mutate'));
    const eventId = newEventId();
    await expect(
      store.mutate(r.id, async (current, tx) => {
        expect(await tx.claimEvents([eventId])).toEqual(new Set([eventId]));
        const record = {
          ...current,
          generation: 99,
          state: { ...current.state, status: 'rolled_back' as const },
        };
        return { record, transitions: [transitionOf(record, 'rolled_back')], result: 'ok' };
      }),
    ).resolves.toBe('ok');
    expect((await store.find(r.id))?.generation).toBe(99);
    expect((await store.transitions(r.id)).map((e) => e.data.transition)).toEqual(['applied', 'rolled_back']);

    const failing = newEventId();
    await expect(
      store.mutate(r.id, async (current, tx) => {
        await tx.claimEvents([failing]);
        throw new Error('analysis failed');
      }),
    ).rejects.toThrow('analysis failed');
    expect((await store.find(r.id))?.generation).toBe(99);
    expect(await store.transitions(r.id)).toHaveLength(2);
    // The claim of the failed change was rolled back with it: the event is counted when offered again.
    const claim = (ids: string[]) =>
      store.mutate(r.id, async (_c, tx) => ({ result: [...(await tx.claimEvents(ids))] }));
    expect(await claim([failing])).toEqual([failing]);
    expect(await claim([eventId])).toEqual([]);
  });

  it('counts an event once per rollout: the same event is new to another rollout', async () => {
    const [a, b] = [await applied(tenant('claim'), 'a'), await applied(tenant('claim'), 'b')];
    const eventId = newEventId();
    const claim = (id: string, ids = [eventId]) =>
      store.mutate(id, async (_c, tx) => ({ result: [...(await tx.claimEvents(ids))].sort() }));
    expect([await claim(a.id), await claim(a.id), await claim(b.id)]).toEqual([[eventId], [], [eventId]]);
    // A chunk's claims in one statement: only the new ones come back, a repeat within it once.
    const [n1, n2] = [newEventId(), newEventId()];
    expect(await claim(a.id, [eventId, n1, n2, n1])).toEqual([n1, n2].sort());
    expect(await claim(a.id, [])).toEqual([]);
    expect(await store.mutate(newEventId(), async () => ({ result: 'never' }))).toBeNull();
  });

  it('serialises concurrent changes of one rollout under its row lock: none is lost', async () => {
    const r = await applied(tenant('lock'));
    await Promise.all(
      Array.from({ length: 6 }, () =>
        store.mutate(r.id, async (current) => {
          await new Promise((done) => setTimeout(done, 10)); // hold the lock while "analysing"
          return { record: { ...current, generation: current.generation + 1 }, result: null };
        }),
      ),
    );
    expect((await store.find(r.id))?.generation).toBe(7);
  });

  it('hands out unpublished transitions in the order they were written until they are marked published', async () => {
    const r = await applied(tenant('outbox'));
    await moveTo(r.id, 'paused');
    await moveTo(r.id, 'concluded');
    const mine = async () => (await store.unpublishedTransitions()).filter((e) => e.data.rolloutId === r.id);
    const pending = await mine();
    expect(pending.map((e) => e.data.status)).toEqual(['running', 'paused', 'concluded']);
    expect(pending).toEqual(await store.transitions(r.id));
    await store.markPublished([pending[0].id, pending[1].id]);
    expect((await mine()).map((e) => e.id)).toEqual([pending[2].id]);
    await store.markPublished([]);
    await store.markPublished([pending[2].id]);
    expect(await mine()).toEqual([]);
  });

  it('lists rollouts with a halt not yet flipped nor skipped', async () => {
    const t = tenant('halts');
    const pending = await applied(t, 'pending', { halts: [{ variant: 'v2', killSwitchId: null }] });
    await applied(t, 'flipped', { halts: [{ variant: 'v2', killSwitchId: newEventId() }] });
    await applied(t, 'skipped', {
      halts: [{ variant: 'v2', killSwitchId: null, skipped: 'same agent version' }],
    });
    await applied(t, 'none');
    const mine = (await store.pendingHalts()).filter((r) => r.tenantId === t);
    expect(mine.map((r) => r.id)).toEqual([pending.id]);
  });

  it('records the arm of an intent once per rollout, and reads an intent’s rows across rollouts', async () => {
    const [a, b] = [await applied(tenant('intents'), 'a'), await applied(tenant('intents'), 'b')];
    const intentId = newEventId();
    const row = { intentId, rolloutId: a.id, arm: 'v2', stratum: 0, proposedAt: AT };
    const other = { ...row, intentId: newEventId(), arm: 'v1' };
    await store.recordIntents([row, other]);
    // Recorded again (a redelivered chunk) with another arm: the first record stays.
    await store.recordIntents([
      { ...row, arm: 'v1' },
      { ...row, rolloutId: b.id, arm: 'v1', stratum: 1 },
    ]);
    await store.recordIntents([]);
    expect(await store.intentRows([other.intentId])).toEqual([other]);
    const rows = await store.intentRows([intentId]);
    expect(rows.sort((x, y) => x.rolloutId.localeCompare(y.rolloutId))).toEqual(
      [row, { ...row, rolloutId: b.id, arm: 'v1', stratum: 1 }].sort((x, y) =>
        x.rolloutId.localeCompare(y.rolloutId),
      ),
    );
    expect(await store.intentRows([newEventId()])).toEqual([]);
    expect(await store.intentRows([])).toEqual([]);
  });

  it('holds facts of an unknown intent once each, hands them over until dropped, and drops those older than a time', async () => {
    const [intent, oldIntent] = [intentEvent('SKU-1', undefined), intentEvent('SKU-2', undefined)];
    const [intentId, old] = [intent.data.intentId, oldIntent.data.intentId];
    intentIds.push(intentId, old);
    const fact = (subject: string) =>
      decisionEvent(subject === intentId ? intent : oldIntent, 'deny') as unknown as EventEnvelope;
    const [f1, f2] = [fact(intentId), fact(intentId)];
    await store.holdPendingFacts([{ intentId, event: f1 }], '2026-03-02T09:00:00.000Z');
    // Redelivered, beside a new one: held once.
    await store.holdPendingFacts(
      [
        { intentId, event: f1 },
        { intentId, event: f2 },
      ],
      '2026-03-02T09:00:02.000Z',
    );
    await store.holdPendingFacts([{ intentId: old, event: fact(old) }], '2001-01-01T00:00:00.000Z');
    await store.holdPendingFacts([], AT);
    const held = await store.pendingFacts([intentId]);
    expect(held).toEqual([
      { intentId, event: f1 },
      { intentId, event: f2 },
    ]);
    // Still held until the counts that used them are stored (a failed chunk finds them again).
    expect(await store.pendingFacts([intentId])).toEqual(held);
    await store.dropPendingFacts([f1.id, f2.id]);
    await store.dropPendingFacts([]);
    expect(await store.pendingFacts([intentId])).toEqual([]);
    expect(await store.pendingFacts([])).toEqual([]);
    expect(await store.dropPendingFactsBefore('2001-01-02T00:00:00.000Z')).toBe(1);
    expect(await store.pendingFacts([old])).toEqual([]);
  });

  it('tells per tenant whether a unit path was seen, unseen or there was no traffic', async () => {
    const [t, other] = [tenant('paths'), tenant('paths-other')];
    expect(await store.unitPathEvidence(t, 'params.sku')).toBe('no_traffic');
    await store.noteUnitPaths(t, ['target.id', 'target.type', 'params.sku'], AT);
    await store.noteUnitPaths(t, [], AT);
    expect(await store.unitPathEvidence(t, 'params.sku')).toBe('seen');
    expect(await store.unitPathEvidence(t, 'params.orderId')).toBe('unseen');
    expect(await store.unitPathEvidence(other, 'params.sku')).toBe('no_traffic');
    const lastSeen = async () =>
      (
        (await ds.query(
          `SELECT last_seen FROM rollout_unit_paths WHERE tenant_id = $1 AND path = 'params.sku'`,
          [t],
        )) as { last_seen: Date }[]
      )[0].last_seen.toISOString();
    // Within a minute of the last note the row is left alone (no write per intent); later it moves.
    await store.noteUnitPaths(t, ['params.sku'], '2026-03-02T09:00:30.000Z');
    expect(await lastSeen()).toBe(AT);
    await store.noteUnitPaths(t, ['params.sku'], '2026-03-02T09:05:00.000Z');
    expect(await lastSeen()).toBe('2026-03-02T09:05:00.000Z');
  });
});
