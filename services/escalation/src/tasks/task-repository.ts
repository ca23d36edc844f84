import { EventEnvelope, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { KEYSET_TIME, Keyset, Page } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { CallbackBody, insertCallback } from '../callbacks/callback-repository';
import { OutboxItem, insertOutboxRows } from '../outbox/outbox-repository';
import { TaskRow } from './task-model';

/** A task as it is opened: tier 0, open, nothing claimed, approved or commented yet. */
export type NewTask = Pick<
  TaskRow,
  | 'id'
  | 'kind'
  | 'anomalies'
  | 'intent_id'
  | 'tenant_id'
  | 'agent_id'
  | 'action'
  | 'reasons'
  | 'decision_event_id'
  | 'decision_traceparent'
  | 'route'
  | 'route_spec'
  | 'reviewer_group'
  | 'due_at'
  | 'four_eyes'
  | 'owner'
  | 'owner_team'
  | 'intent'
  | 'decision'
  | 'history'
  | 'created_at'
>;

/** The columns a use case may change, and when it changed them. */
export type TaskChanges = Partial<
  Pick<
    TaskRow,
    | 'status'
    | 'resolution'
    | 'final_decision'
    | 'resolved_at'
    | 'route'
    | 'route_spec'
    | 'reviewer_group'
    | 'tier'
    | 'due_at'
    | 'four_eyes'
    | 'claimed_by'
    | 'approvals'
    | 'comments'
    | 'history'
    | 'anomalies'
  >
> & { updated_at: Date | string };

/** The reviewer queue's filter; `tenantId` undefined = every tenant (the platform operator). */
export interface TaskQuery {
  tenantId?: string;
  status?: 'open' | 'resolved';
  group?: string;
  route?: string;
  agentId?: string;
  action?: string;
  cursor?: string;
  limit: number;
}

/**
 * The queue's order and its keyset: open tasks by due time (none last), then creation, then id;
 * resolved ones newest resolution first. A position is that tuple, times to the millisecond.
 */
export const TASKS_KEYSET = new Keyset(z.tuple([KEYSET_TIME.nullable(), KEYSET_TIME, z.string().uuid()]));

export const taskPosition = (t: TaskRow, status: TaskQuery['status']): [string | null, string, string] => [
  (status === 'resolved' ? t.resolved_at : t.due_at)?.toISOString() ?? null,
  t.created_at.toISOString(),
  t.id,
];

/** A proposal as escalation keeps it: the task opened from it needs its params. */
export interface ProposalToKeep {
  intent: IntentProposedV1;
  tenantId: string;
}

/**
 * What one transaction of the task lifecycle may do. Locks hold, and writes become visible, when
 * the transaction commits; the outbox rows and callbacks commit with the task change that caused them.
 */
export interface TaskTransaction {
  /**
   * Serialises the two halves (intent, verdict) of each task so neither misses the other; several
   * intents are locked in one order (their ids sorted), so two batches that overlap cannot deadlock.
   */
  lockIntents(intentIds: string[]): Promise<void>;
  /** Keeps proposals by id (first one wins), a whole batch in one statement. */
  saveIntents(intents: ProposalToKeep[]): Promise<void>;
  /** Of these intents, those with an `escalate` verdict kept and no task yet: the ones to open now. */
  escalatedWithoutTask(intentIds: string[]): Promise<string[]>;
  /** Keeps an `escalate` verdict by intent id (first one wins). */
  saveEscalatedDecision(event: EventEnvelope<IntentDecidedV1>): Promise<void>;
  findIntent(intentId: string): Promise<IntentProposedV1 | undefined>;
  findEscalatedDecision(intentId: string): Promise<EventEnvelope<IntentDecidedV1> | undefined>;
  /** Answers false when the intent already has a task. */
  insertTask(task: NewTask): Promise<boolean>;
  find(id: string): Promise<TaskRow | undefined>;
  /** The task, locked until the transaction ends (FOR UPDATE). */
  lock(id: string): Promise<TaskRow | undefined>;
  /** The intent's task if it is open, locked. */
  lockOpenByIntent(intentId: string): Promise<TaskRow | undefined>;
  /** Open tasks due at `now`, soonest first, locked; tasks another instance holds are skipped. */
  lockDue(now: Date, limit: number): Promise<TaskRow[]>;
  update(id: string, changes: TaskChanges): Promise<void>;
  addToOutbox(items: OutboxItem[]): Promise<void>;
  queueCallback(url: string, body: CallbackBody): Promise<void>;
}

/** Tasks, the proposals and verdicts they open from, in the escalation schema. */
export abstract class TaskRepository {
  abstract transaction<T>(fn: (tx: TaskTransaction) => Promise<T>): Promise<T>;
  abstract find(id: string): Promise<TaskRow | undefined>;
  /** Open work soonest due first; decided work most recent first. */
  abstract list(query: TaskQuery): Promise<Page<TaskRow>>;
  /** Deletes proposals and verdicts received before `before` (those of open tasks live in the task). */
  abstract purgeReceived(before: Date): Promise<void>;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const plain = (v: unknown) => v;
/** Column → how its value is sent; the keys are the only columns `update` writes. */
const CHANGEABLE: Record<keyof TaskChanges, (v: unknown) => unknown> = {
  status: plain,
  resolution: plain,
  final_decision: json,
  resolved_at: plain,
  route: plain,
  route_spec: json,
  reviewer_group: plain,
  tier: plain,
  due_at: plain,
  four_eyes: plain,
  claimed_by: plain,
  approvals: json,
  comments: json,
  history: json,
  anomalies: json,
  updated_at: plain,
};

/** The escalation schema's tasks; with the outbox and callback repositories, the only SQL of escalation. */
@Injectable()
export class PostgresTaskRepository extends TaskRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  transaction<T>(fn: (tx: TaskTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((m) => fn(new PostgresTaskTransaction(m)));
  }

  async find(id: string): Promise<TaskRow | undefined> {
    return findTask(this.dataSource.manager, id);
  }

  async list(q: TaskQuery): Promise<Page<TaskRow>> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      let text = sql;
      for (const v of values) {
        args.push(v);
        text = text.replace('?', `$${args.length}`);
      }
      where.push(text);
    };
    if (q.tenantId) add('tenant_id = ?', q.tenantId);
    if (q.status) add('status = ?', q.status);
    if (q.group) add('reviewer_group = ?', q.group);
    if (q.route) add('route = ?', q.route);
    if (q.agentId) add('agent_id = ?', q.agentId);
    if (q.action) add('action = ?', q.action);
    // A resolved task has no due time; an open one no resolution. Nulls sort as the far end.
    const resolved = q.status === 'resolved';
    const first = resolved
      ? `COALESCE(date_trunc('milliseconds', resolved_at), '-infinity')`
      : `COALESCE(date_trunc('milliseconds', due_at), 'infinity')`;
    const key = `(${first}, date_trunc('milliseconds', created_at), id)`;
    const after = TASKS_KEYSET.after(q);
    if (after)
      add(
        `${key} ${resolved ? '<' : '>'} (COALESCE(?::timestamptz, '${resolved ? '-' : ''}infinity'), ?::timestamptz, ?::uuid)`,
        ...after,
      );
    args.push(q.limit + 1);
    const dir = resolved ? 'DESC' : 'ASC';
    const rows = (await this.dataSource.query(
      `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${first} ${dir}, date_trunc('milliseconds', created_at) ${dir}, id ${dir} LIMIT $${args.length}`,
      args,
    )) as TaskRow[];
    return TASKS_KEYSET.page(rows, q.limit, (t) => taskPosition(t, q.status));
  }

  async purgeReceived(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM intents WHERE received_at < $1`, [before]);
    await this.dataSource.query(`DELETE FROM escalated_decisions WHERE received_at < $1`, [before]);
  }
}

class PostgresTaskTransaction implements TaskTransaction {
  constructor(private readonly m: EntityManager) {}

  async lockIntents(intentIds: string[]): Promise<void> {
    if (intentIds.length === 1) {
      await this.m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`escalation:${intentIds[0]}`]);
      return;
    }
    // One round trip; the sorted keys (not the statement's row order, which PostgreSQL may choose)
    // are what keeps two overlapping batches from deadlocking.
    const keys = [...new Set(intentIds)].sort().map((id) => `escalation:${id}`);
    await this.m.query(
      `SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM (SELECT k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n) s`,
      [keys],
    );
  }

  async saveIntents(intents: ProposalToKeep[]): Promise<void> {
    if (!intents.length) return;
    await this.m.query(
      `INSERT INTO intents (intent_id, tenant_id, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])
       ON CONFLICT (intent_id) DO NOTHING`,
      [
        intents.map((p) => p.intent.intentId),
        intents.map((p) => p.tenantId),
        intents.map((p) => JSON.stringify(p.intent)),
      ],
    );
  }

  async escalatedWithoutTask(intentIds: string[]): Promise<string[]> {
    if (!intentIds.length) return [];
    const rows = (await this.m.query(
      `SELECT d.intent_id FROM escalated_decisions d
        WHERE d.intent_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.intent_id = d.intent_id)`,
      [intentIds],
    )) as { intent_id: string }[];
    return rows.map((r) => r.intent_id);
  }

  async saveEscalatedDecision(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    await this.m.query(
      `INSERT INTO escalated_decisions (intent_id, envelope) VALUES ($1, $2) ON CONFLICT (intent_id) DO NOTHING`,
      [event.data.intentId, JSON.stringify(event)],
    );
  }

  async findIntent(intentId: string): Promise<IntentProposedV1 | undefined> {
    const [row] = (await this.m.query(`SELECT payload FROM intents WHERE intent_id = $1`, [intentId])) as {
      payload: IntentProposedV1;
    }[];
    return row?.payload;
  }

  async findEscalatedDecision(intentId: string): Promise<EventEnvelope<IntentDecidedV1> | undefined> {
    const [row] = (await this.m.query(`SELECT envelope FROM escalated_decisions WHERE intent_id = $1`, [
      intentId,
    ])) as { envelope: EventEnvelope<IntentDecidedV1> }[];
    return row?.envelope;
  }

  async insertTask(t: NewTask): Promise<boolean> {
    const inserted = (await this.m.query(
      `INSERT INTO tasks (id, intent_id, tenant_id, agent_id, action, reasons, decision_event_id, route, route_spec, reviewer_group, tier, due_at,
                          four_eyes, owner, owner_team, intent, decision, history, created_at, updated_at, decision_traceparent,
                          kind, anomalies)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20, $21)
       ON CONFLICT (intent_id) DO NOTHING RETURNING id`,
      [
        t.id,
        t.intent_id,
        t.tenant_id,
        t.agent_id,
        t.action,
        JSON.stringify(t.reasons),
        t.decision_event_id,
        t.route,
        JSON.stringify(t.route_spec),
        t.reviewer_group,
        t.due_at,
        t.four_eyes,
        t.owner,
        t.owner_team,
        json(t.intent),
        json(t.decision),
        JSON.stringify(t.history),
        t.created_at,
        t.decision_traceparent,
        t.kind,
        JSON.stringify(t.anomalies),
      ],
    )) as { id: string }[];
    return inserted.length > 0;
  }

  find(id: string): Promise<TaskRow | undefined> {
    return findTask(this.m, id);
  }

  async lock(id: string): Promise<TaskRow | undefined> {
    const [task] = (await this.m.query(`SELECT * FROM tasks WHERE id = $1 FOR UPDATE`, [id])) as TaskRow[];
    return task;
  }

  async lockOpenByIntent(intentId: string): Promise<TaskRow | undefined> {
    const [task] = (await this.m.query(
      `SELECT * FROM tasks WHERE intent_id = $1 AND status = 'open' FOR UPDATE`,
      [intentId],
    )) as TaskRow[];
    return task;
  }

  async lockDue(now: Date, limit: number): Promise<TaskRow[]> {
    return (await this.m.query(
      `SELECT * FROM tasks WHERE status = 'open' AND due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    )) as TaskRow[];
  }

  async update(id: string, changes: TaskChanges): Promise<void> {
    const sets: string[] = [];
    const args: unknown[] = [id];
    for (const [column, value] of Object.entries(changes)) {
      const send = CHANGEABLE[column as keyof TaskChanges];
      if (!send) throw new Error(`tasks.${column} is not a column a use case changes`);
      args.push(send(value));
      sets.push(`${column} = $${args.length}`);
    }
    await this.m.query(`UPDATE tasks SET ${sets.join(', ')} WHERE id = $1`, args);
  }

  addToOutbox(items: OutboxItem[]): Promise<void> {
    return insertOutboxRows(this.m, items);
  }

  queueCallback(url: string, body: CallbackBody): Promise<void> {
    return insertCallback(this.m, url, body);
  }
}

async function findTask(m: EntityManager, id: string): Promise<TaskRow | undefined> {
  const [task] = (await m.query(`SELECT * FROM tasks WHERE id = $1`, [id])) as TaskRow[];
  return task;
}
