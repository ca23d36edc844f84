import { EventEnvelope, EventTypes } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { serviceDataSourceOptions } from '@agentops/persistence';
import { DataSource } from 'typeorm';
import { PostgresCallbackRepository } from '../../services/escalation/src/callbacks/callback-repository';
import { PostgresOutboxRepository } from '../../services/escalation/src/outbox/outbox-repository';
import { TaskRow } from '../../services/escalation/src/tasks/task-model';
import {
  NewTask,
  PostgresTaskRepository,
  TaskQuery,
  TaskTransaction,
} from '../../services/escalation/src/tasks/task-repository';
import { escalateVerdict, proposal } from '../../services/escalation/src/testing/escalation-doubles';
import { serviceDatabaseUrl } from '../support/test-database';

/**
 * Escalation's repositories on the real PostgreSQL, connected as the escalation service's own
 * role: the SQL the in-memory doubles of the unit specs stand in for. The rows are this suite's
 * (its own tenant; timers, sends and receipts dated 2001, which no running service's poller
 * reaches for) and are deleted at the end.
 */
const TENANT = `it-${Date.now().toString(36)}`;
const Y2001 = (at: string) => new Date(`2001-01-01T${at}Z`);

describe('escalation repositories on PostgreSQL', () => {
  let ds: DataSource;
  let tasks: PostgresTaskRepository;
  let outbox: PostgresOutboxRepository;
  let callbacks: PostgresCallbackRepository;
  const intentIds: string[] = [];
  const eventIds: string[] = [];

  beforeAll(async () => {
    ds = new DataSource(
      serviceDataSourceOptions({
        url: serviceDatabaseUrl('escalation'),
        schema: 'escalation',
        entities: [],
        migrations: [],
        applicationName: 'escalation-repositories-test',
      }),
    );
    await ds.initialize();
    tasks = new PostgresTaskRepository(ds);
    outbox = new PostgresOutboxRepository(ds);
    callbacks = new PostgresCallbackRepository(ds);
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM tasks WHERE tenant_id = $1`, [TENANT]);
    await ds?.query(`DELETE FROM intents WHERE intent_id = ANY($1::uuid[])`, [intentIds]);
    await ds?.query(`DELETE FROM escalated_decisions WHERE intent_id = ANY($1::uuid[])`, [intentIds]);
    await ds?.query(`DELETE FROM outbox WHERE id = ANY($1::uuid[])`, [eventIds]);
    await ds?.query(`DELETE FROM callbacks WHERE id = ANY($1::uuid[])`, [eventIds]);
    await ds?.destroy();
  });

  const mine = () => {
    const intent = proposal({ amount: 120 }, { agent: { ...agentOf(), tenantId: TENANT } });
    intentIds.push(intent.data.intentId);
    return intent;
  };
  const agentOf = () => ({
    id: 'it-agent',
    tenantId: TENANT,
    role: 'service' as const,
    version: '1',
    region: 'eu',
    labels: {},
  });
  const newTask = (intentId: string, over: Partial<NewTask> = {}): NewTask => ({
    id: newEventId(),
    kind: 'intent_review',
    anomalies: [],
    intent_id: intentId,
    tenant_id: TENANT,
    agent_id: 'it-agent',
    action: 'service.issue_refund',
    reasons: [
      { policyId: 'p', policyVersion: '1', message: 'needs a human', effect: 'escalate', mode: 'enforce' },
    ],
    decision_event_id: newEventId(),
    decision_traceparent: null,
    route: 'customer-service',
    route_spec: {
      name: 'customer-service',
      tiers: [{ group: 'service-reviewers', slaMs: 10_000 }],
      fourEyes: false,
      timeoutOutcome: 'deny',
    },
    reviewer_group: 'service-reviewers',
    due_at: Y2001('00:00:10.000'),
    four_eyes: false,
    owner: null,
    owner_team: null,
    intent: null,
    decision: null,
    history: [{ at: '2001-01-01T00:00:00.000Z', by: 'escalation', what: 'opened' }],
    created_at: Y2001('00:00:00.000'),
    ...over,
  });
  const openTask = async (over: Partial<NewTask> = {}): Promise<TaskRow> => {
    const t = newTask(mine().data.intentId, over);
    expect(await tasks.transaction((tx) => tx.insertTask(t))).toBe(true);
    return (await tasks.find(t.id))!;
  };
  const event = (subject = newEventId()): EventEnvelope => {
    const e = createEvent(
      EventTypes.EscalationResolved,
      {
        taskId: subject,
        intentId: subject,
        agentId: 'it-agent',
        resolution: 'rejected',
        reviewers: ['u'],
        resolvedAt: '2001-01-01T00:00:00.000Z',
      },
      {
        source: 'agentops/escalation',
        tenantid: TENANT,
        agentid: 'it-agent',
        correlationid: subject,
        subject,
      },
    );
    eventIds.push(e.id);
    return e;
  };
  /** Resolves once another backend of this suite waits for a lock. */
  const someoneWaitsForALock = async () => {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = (await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'escalation-repositories-test' AND wait_event_type = 'Lock'`,
      )) as { n: number }[];
      if (n > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no transaction ever waited for the lock');
  };

  it('keeps the first proposal and verdict of an intent, and opens one task per intent', async () => {
    const intent = mine();
    const verdict = escalateVerdict(intent);
    await tasks.transaction(async (tx) => {
      await tx.lockIntents([intent.data.intentId]);
      await tx.saveIntents([{ intent: intent.data, tenantId: TENANT }]);
      await tx.saveIntents([{ intent: { ...intent.data, params: { amount: 1 } }, tenantId: TENANT }]);
      await tx.saveEscalatedDecision(verdict);
      await tx.saveEscalatedDecision({ ...verdict, id: newEventId() });
    });
    const [storedIntent, storedVerdict] = await tasks.transaction(
      async (tx) =>
        [
          await tx.findIntent(intent.data.intentId),
          await tx.findEscalatedDecision(intent.data.intentId),
        ] as const,
    );
    expect(storedIntent).toEqual(intent.data);
    expect(storedVerdict).toEqual(JSON.parse(JSON.stringify(verdict)));

    const first = newTask(intent.data.intentId, { intent: intent.data, decision: verdict.data });
    expect(await tasks.transaction((tx) => tx.insertTask(first))).toBe(true);
    expect(await tasks.transaction((tx) => tx.insertTask({ ...first, id: newEventId() }))).toBe(false);
    const row = (await tasks.find(first.id))!;
    expect(row).toMatchObject({
      status: 'open',
      tier: 0,
      claimed_by: null,
      approvals: [],
      comments: [],
      resolution: null,
      final_decision: null,
      route_spec: first.route_spec,
      history: first.history,
      intent: intent.data,
    });
    expect(row.created_at).toEqual(first.created_at);
    expect(row.due_at).toEqual(first.due_at);
  });

  it("keeps a fetch's proposals in one statement and names those whose verdict came first and have no task", async () => {
    const [a, b, c] = [mine(), mine(), mine()];
    // b's verdict came before its proposal; c's too, but c has its task already.
    await tasks.transaction(async (tx) => {
      await tx.saveEscalatedDecision(escalateVerdict(b));
      await tx.saveEscalatedDecision(escalateVerdict(c));
    });
    expect(await tasks.transaction((tx) => tx.insertTask(newTask(c.data.intentId)))).toBe(true);
    const ready = await tasks.transaction(async (tx) => {
      const ids = [a, b, c, a].map((x) => x.data.intentId);
      await tx.lockIntents(ids);
      // A redelivered proposal in the same fetch is kept once, the first one.
      await tx.saveIntents([
        ...[a, b, c].map((x) => ({ intent: x.data, tenantId: TENANT })),
        { intent: { ...a.data, params: { amount: 2 } }, tenantId: TENANT },
      ]);
      return tx.escalatedWithoutTask(ids);
    });
    expect(ready).toEqual([b.data.intentId]);
    const stored = await tasks.transaction(async (tx) =>
      Promise.all([a, b, c].map((x) => tx.findIntent(x.data.intentId))),
    );
    expect(stored).toEqual([a.data, b.data, c.data]);
  });

  it('locks a batch of intents against a verdict on one of them: the verdict waits for the batch to commit', async () => {
    const [a, b] = [mine(), mine()];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const batchHoldsLocks = new Promise<void>((r) => (locked = r));
    const batch = tasks.transaction(async (tx) => {
      await tx.lockIntents([b.data.intentId, a.data.intentId]);
      locked();
      await tx.saveIntents([a, b].map((x) => ({ intent: x.data, tenantId: TENANT })));
      await held;
    });
    await batchHoldsLocks;
    // The verdict's transaction takes b's lock: it must wait, then see the proposal committed.
    const verdict = tasks.transaction(async (tx) => {
      await tx.lockIntents([b.data.intentId]);
      return tx.findIntent(b.data.intentId);
    });
    await someoneWaitsForALock();
    release();
    await batch;
    expect(await verdict).toEqual(b.data);
  });

  it('updates the columns it is given; a cleared value is SQL NULL, an unknown column an error', async () => {
    const task = await openTask();
    await tasks.transaction((tx) =>
      tx.update(task.id, {
        claimed_by: 'u-1',
        approvals: [{ by: 'u-1', at: '2001-01-01T00:00:01.000Z', route: 'customer-service' }],
        updated_at: '2001-01-01T00:00:01.000Z',
      }),
    );
    expect(await tasks.find(task.id)).toMatchObject({
      claimed_by: 'u-1',
      approvals: [{ by: 'u-1', at: '2001-01-01T00:00:01.000Z', route: 'customer-service' }],
      history: task.history,
    });
    await tasks.transaction((tx) =>
      tx.update(task.id, {
        status: 'resolved',
        resolution: 'timed_out',
        final_decision: null,
        due_at: null,
        updated_at: Y2001('00:00:02.000'),
      }),
    );
    const [raw] = (await ds.query(
      `SELECT final_decision IS NULL AS "noDecision", due_at IS NULL AS "noTimer", status FROM tasks WHERE id = $1`,
      [task.id],
    )) as { noDecision: boolean; noTimer: boolean; status: string }[];
    expect(raw).toEqual({ noDecision: true, noTimer: true, status: 'resolved' });
    await expect(
      tasks.transaction((tx) => tx.update(task.id, { tenant_id: 'other', updated_at: new Date() } as never)),
    ).rejects.toThrow('tasks.tenant_id is not a column a use case changes');
  });

  it('commits a task change, its outbox rows and its callback together, or none of them', async () => {
    const intent = mine();
    const t = newTask(intent.data.intentId);
    const e = event();
    const write = async (tx: TaskTransaction) => {
      await tx.insertTask(t);
      await tx.addToOutbox([{ event: e, key: t.intent_id }]);
      await tx.queueCallback('https://agent.example.com/cb', {
        eventId: e.id,
        intentId: t.intent_id,
        decision: escalateVerdict(intent).data,
      });
    };
    await expect(
      tasks.transaction(async (tx) => {
        await write(tx);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    const counts = async () =>
      (
        (await ds.query(
          `SELECT (SELECT count(*) FROM tasks WHERE id = $1)::int AS tasks, (SELECT count(*) FROM outbox WHERE id = $2)::int AS outbox,
                  (SELECT count(*) FROM callbacks WHERE id = $2)::int AS callbacks`,
          [t.id, e.id],
        )) as { tasks: number; outbox: number; callbacks: number }[]
      )[0];
    expect(await counts()).toEqual({ tasks: 0, outbox: 0, callbacks: 0 });
    await tasks.transaction(write);
    expect(await counts()).toEqual({ tasks: 1, outbox: 1, callbacks: 1 });
    // The same event again is the same row (its id is fixed when it is written).
    await tasks.transaction((tx) => tx.addToOutbox([{ event: e, key: t.intent_id }]));
    expect(await counts()).toEqual({ tasks: 1, outbox: 1, callbacks: 1 });
  });

  it('holds a locked task until its transaction ends: the next locker sees the committed change', async () => {
    const task = await openTask();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked = false;
    const first = tasks.transaction(async (tx) => {
      await tx.lock(task.id);
      await tx.update(task.id, { claimed_by: 'u-first', updated_at: new Date() });
      locked = true;
      await gate;
    });
    while (!locked) await new Promise((r) => setTimeout(r, 10));
    const second = tasks.transaction((tx) => tx.lock(task.id));
    await someoneWaitsForALock();
    release();
    await first;
    expect((await second)?.claimed_by).toBe('u-first');
  });

  it('hands due tasks to one poller each (SKIP LOCKED), soonest due first, open ones only', async () => {
    const a = await openTask({ due_at: Y2001('00:00:01.000') });
    const b = await openTask({ due_at: Y2001('00:00:02.000') });
    const c = await openTask({ due_at: Y2001('00:00:03.000') });
    const resolved = await openTask({ due_at: Y2001('00:00:00.500') });
    await tasks.transaction((tx) => tx.update(resolved.id, { status: 'resolved', updated_at: new Date() }));
    const now = Y2001('00:00:05.000'); // before the other tests' timers (00:00:10)
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstGot: string[] = [];
    const first = tasks.transaction(async (tx) => {
      firstGot = (await tx.lockDue(now, 1)).map((t) => t.id);
      await gate;
    });
    while (firstGot.length === 0) await new Promise((r) => setTimeout(r, 10));
    const secondGot = await tasks.transaction(async (tx) => (await tx.lockDue(now, 10)).map((t) => t.id));
    release();
    await first;
    expect(firstGot).toEqual([a.id]);
    expect(secondGot).toEqual([b.id, c.id]);
    expect((await tasks.transaction((tx) => tx.lockDue(Y2001('00:00:01.500'), 10))).map((t) => t.id)).toEqual(
      [a.id],
    );
  });

  const walk = async (q: Omit<TaskQuery, 'limit' | 'cursor'>) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await tasks.list({ ...q, limit: 1, cursor });
      ids.push(...page.items.map((t) => t.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    return ids;
  };

  it("lists a tenant's tasks: open ones by due time, resolved ones latest first, with filters", async () => {
    const later = await openTask({
      due_at: Y2001('00:10:00.000'),
      action: 'inventory.create_purchase_order',
    });
    const sooner = await openTask({ due_at: Y2001('00:05:00.000') });
    const open = (await tasks.list({ tenantId: TENANT, status: 'open', limit: 500 })).items;
    const ids = open.map((t) => t.id);
    expect(ids.indexOf(sooner.id)).toBeLessThan(ids.indexOf(later.id));
    expect(open.every((t) => t.tenant_id === TENANT && t.status === 'open')).toBe(true);
    expect(
      (
        await tasks.list({ tenantId: TENANT, action: 'inventory.create_purchase_order', limit: 10 })
      ).items.map((t) => t.id),
    ).toEqual([later.id]);
    expect((await tasks.list({ tenantId: TENANT, limit: 1 })).items).toHaveLength(1);
    expect(await walk({ tenantId: TENANT, status: 'open' })).toEqual(ids);

    for (const [task, at] of [
      [later, '00:20:00.000'],
      [sooner, '00:30:00.000'],
    ] as const)
      await tasks.transaction((tx) =>
        tx.update(task.id, { status: 'resolved', resolved_at: Y2001(at), updated_at: Y2001(at) }),
      );
    const resolved = (await tasks.list({ tenantId: TENANT, status: 'resolved', limit: 500 })).items.map(
      (t) => t.id,
    );
    expect(resolved.indexOf(sooner.id)).toBeLessThan(resolved.indexOf(later.id));
    // Page by page, one task a page, the same order: resolved ones without a time included.
    expect(await walk({ tenantId: TENANT, status: 'resolved' })).toEqual(resolved);
    expect(await walk({ tenantId: TENANT })).toEqual(
      (await tasks.list({ tenantId: TENANT, limit: 500 })).items.map((t) => t.id),
    );
    expect(await tasks.list({ tenantId: `${TENANT}-nobody`, limit: 10 })).toEqual({ items: [], next: null });
  });

  it('relays outbox rows in creation order, one relay each (SKIP LOCKED), and purges sent ones', async () => {
    const events = [event(), event(), event()];
    await tasks.transaction((tx) => tx.addToOutbox(events.map((e, i) => ({ event: e, key: `k-${i}` }))));
    const ids = events.map((e) => e.id);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstGot: { id: string; key: string }[] = [];
    const first = outbox.transaction(async (tx) => {
      firstGot = (await tx.lockUnsent(1000)).filter((r) => ids.includes(r.id));
      await gate;
      await tx.markSent(ids, Y2001('00:00:00.000'));
    });
    while (firstGot.length === 0) await new Promise((r) => setTimeout(r, 10));
    const secondGot = await outbox.transaction(async (tx) =>
      (await tx.lockUnsent(1000)).filter((r) => ids.includes(r.id)),
    );
    release();
    await first;
    expect(firstGot.map((r) => [r.id, r.key])).toEqual(ids.map((id, i) => [id, `k-${i}`]));
    expect(secondGot).toEqual([]);
    expect((await outbox.transaction((tx) => tx.lockUnsent(1000))).filter((r) => ids.includes(r.id))).toEqual(
      [],
    );
    await outbox.purgeSent(Y2001('01:00:00.000'));
    expect(await ds.query(`SELECT id FROM outbox WHERE id = ANY($1::uuid[])`, [ids])).toEqual([]);
  });

  it('claims due callbacks with a lease and holds no lock after the claim; a delivery is never undone', async () => {
    const intent = mine();
    const [e1, e2] = [event(), event()];
    await tasks.transaction(async (tx) => {
      for (const e of [e2, e1])
        await tx.queueCallback('https://agent.example.com/cb', {
          eventId: e.id,
          intentId: intent.data.intentId,
          decision: escalateVerdict(intent).data,
        });
    });
    // Arranged in 2001 so that no running dispatcher's "now" claims them.
    await ds.query(`UPDATE callbacks SET due_at = $2 WHERE id = $1`, [e1.id, Y2001('00:00:01.000')]);
    await ds.query(`UPDATE callbacks SET due_at = $2 WHERE id = $1`, [e2.id, Y2001('00:00:02.000')]);
    const now = Y2001('00:01:00.000');
    const lease = Y2001('00:03:00.000');
    const claimed = await callbacks.claimDue(now, 8, 10, lease);
    expect(claimed.map((c) => [c.id, c.attempts, c.body.eventId])).toEqual([
      [e1.id, 0, e1.id],
      [e2.id, 0, e2.id],
    ]);
    expect(await callbacks.claimDue(now, 8, 10, lease)).toEqual([]);
    // Nothing is locked while the HTTP calls are out.
    await ds.transaction(async (m) => {
      await m.query(`SELECT id FROM callbacks WHERE id = ANY($1::uuid[]) FOR UPDATE NOWAIT`, [
        [e1.id, e2.id],
      ]);
    });
    // Due again once the lease is over.
    expect((await callbacks.claimDue(lease, 8, 10, Y2001('00:05:00.000'))).map((c) => c.id)).toEqual([
      e1.id,
      e2.id,
    ]);

    await callbacks.markDelivered(e1.id, Y2001('00:04:00.000'));
    await callbacks.markFailed(e1.id, 1, Y2001('00:04:01.000'), 'late failure of an expired claim');
    await callbacks.markFailed(e2.id, 8, Y2001('00:04:01.000'), 'refused: private address');
    const rows = (await ds.query(
      `SELECT id, attempts, delivered_at AS "deliveredAt", last_error AS "lastError", due_at AS "dueAt" FROM callbacks WHERE id = ANY($1::uuid[]) ORDER BY due_at`,
      [[e1.id, e2.id]],
    )) as { id: string; attempts: number; deliveredAt: Date | null; lastError: string | null; dueAt: Date }[];
    expect(rows).toEqual([
      {
        id: e2.id,
        attempts: 8,
        deliveredAt: null,
        lastError: 'refused: private address',
        dueAt: Y2001('00:04:01.000'),
      },
      {
        id: e1.id,
        attempts: 1,
        deliveredAt: Y2001('00:04:00.000'),
        lastError: null,
        dueAt: Y2001('00:05:00.000'),
      },
    ]);
    // Out of attempts: never claimed again.
    expect(await callbacks.claimDue(Y2001('01:00:00.000'), 8, 10, Y2001('02:00:00.000'))).toEqual([]);
    // Purged: delivered before the cut-off; the undelivered one was created now, after it.
    await callbacks.purge(Y2001('06:00:00.000'));
    expect(
      (await ds.query(`SELECT id FROM callbacks WHERE id = ANY($1::uuid[])`, [[e1.id, e2.id]])).map(
        (r: { id: string }) => r.id,
      ),
    ).toEqual([e2.id]);
  });

  it('purges proposals and verdicts received before the cut-off', async () => {
    const intent = mine();
    await tasks.transaction(async (tx) => {
      await tx.saveIntents([{ intent: intent.data, tenantId: TENANT }]);
      await tx.saveEscalatedDecision(escalateVerdict(intent));
    });
    await tasks.purgeReceived(Y2001('00:00:00.000'));
    const kept = await tasks.transaction(async (tx) => [
      await tx.findIntent(intent.data.intentId),
      await tx.findEscalatedDecision(intent.data.intentId),
    ]);
    expect(kept.every(Boolean)).toBe(true);
    await ds.query(`UPDATE intents SET received_at = $2 WHERE intent_id = $1`, [
      intent.data.intentId,
      Y2001('00:00:00.000'),
    ]);
    await ds.query(`UPDATE escalated_decisions SET received_at = $2 WHERE intent_id = $1`, [
      intent.data.intentId,
      Y2001('00:00:00.000'),
    ]);
    await tasks.purgeReceived(Y2001('01:00:00.000'));
    const gone = await tasks.transaction(async (tx) => [
      await tx.findIntent(intent.data.intentId),
      await tx.findEscalatedDecision(intent.data.intentId),
    ]);
    expect(gone).toEqual([undefined, undefined]);
  });
});
