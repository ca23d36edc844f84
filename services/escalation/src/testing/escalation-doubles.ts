import { AgentIdentity, EventEnvelope, IntentDecidedV1, IntentProposedV1 } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import type { EventPublisher } from '@agentops/messaging';
import { Clock, ManualClock, Page } from '@agentops/service-runtime';
import type { Logger } from 'pino';
import { CallbackDispatcher } from '../callbacks/callback-dispatcher';
import { CallbackBody, CallbackRepository, DueCallback } from '../callbacks/callback-repository';
import { EscalationConfig } from '../config';
import type { WebhookSender } from '../egress/webhook-sender';
import type { Notifier } from '../notify/notifier';
import { OutboxRelay } from '../outbox/outbox';
import { OutboxItem, OutboxRepository, OutboxRow, OutboxTransaction } from '../outbox/outbox-repository';
import type { GuardrailClient, PreviewVerdict } from '../review/guardrail-client';
import { ReviewService } from '../review/review.service';
import { RoutingRules, parseRoutingRules } from '../routing/routing-rules';
import { SlaScheduler } from '../sla/sla-scheduler';
import { TaskRow } from '../tasks/task-model';
import {
  NewTask,
  ProposalToKeep,
  TASKS_KEYSET,
  TaskChanges,
  TaskQuery,
  TaskRepository,
  TaskTransaction,
  taskPosition,
} from '../tasks/task-repository';
import { TaskWorkflow } from '../tasks/task-workflow';

/**
 * Test doubles for escalation's use cases: in-memory repositories implementing the same
 * interfaces as the PostgreSQL ones, a clock the test moves, and recorders for the ports that
 * call out. No I/O: the SQL itself is tested on the real PostgreSQL by
 * test/integration/escalation-repositories.integration-spec.ts.
 */

/** The clock escalation's specs start from (a Monday morning); it moves when told. */
export class FakeClock extends ManualClock {
  constructor(start: string | Date = '2026-03-02T09:00:00.000Z') {
    super(start);
  }
}

interface StoredOutboxRow extends OutboxRow {
  type: string;
  createdAt: Date;
  sentAt: Date | null;
}

interface StoredCallback {
  id: string;
  url: string;
  body: CallbackBody;
  attempts: number;
  dueAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

type StoredTask = TaskRow & { updated_at: Date };

interface Tables {
  intents: Map<string, { tenantId: string; payload: IntentProposedV1; receivedAt: Date }>;
  escalatedDecisions: Map<string, { envelope: EventEnvelope<IntentDecidedV1>; receivedAt: Date }>;
  tasks: Map<string, StoredTask>;
  /** In creation order. */
  outbox: Map<string, StoredOutboxRow>;
  callbacks: Map<string, StoredCallback>;
}

const emptyTables = (): Tables => ({
  intents: new Map(),
  escalatedDecisions: new Map(),
  tasks: new Map(),
  outbox: new Map(),
  callbacks: new Map(),
});

/** What jsonb gives back: a fresh copy, without `undefined` members. */
const jsonb = <T>(v: T): T => (v === null || v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const copy = <T>(v: T): T => structuredClone(v);
const time = (v: Date | string | null | undefined): Date | null => (v == null ? null : new Date(v));
const JSON_COLUMNS = new Set(['final_decision', 'route_spec', 'approvals', 'comments', 'history']);
const TIME_COLUMNS = new Set(['resolved_at', 'due_at', 'updated_at']);

/**
 * The escalation schema in memory. Transactions run one at a time (as if every one held every
 * lock) and roll back on a throw; `failNext` makes one repository call throw, to show what a
 * transaction does when a step fails.
 */
export class InMemoryEscalationDatabase {
  tables: Tables = emptyTables();
  private tail: Promise<unknown> = Promise.resolve();
  private faults = new Map<string, Error>();

  constructor(readonly clock: Clock) {}

  failNext(operation: string, error = new Error(`${operation} failed (injected)`)): void {
    this.faults.set(operation, error);
  }

  check(operation: string): void {
    const error = this.faults.get(operation);
    if (!error) return;
    this.faults.delete(operation);
    throw error;
  }

  serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const snapshot = copy(this.tables);
      try {
        return await fn();
      } catch (error) {
        this.tables = snapshot;
        throw error;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  // What tests read back.
  task(id: string): StoredTask | undefined {
    return copy(this.tables.tasks.get(id));
  }
  taskOf(intentId: string): StoredTask | undefined {
    return copy([...this.tables.tasks.values()].find((t) => t.intent_id === intentId));
  }
  outboxRows(): StoredOutboxRow[] {
    return copy([...this.tables.outbox.values()]);
  }
  callbackRows(): StoredCallback[] {
    return copy([...this.tables.callbacks.values()]);
  }
}

export class InMemoryTaskRepository extends TaskRepository {
  constructor(private readonly db: InMemoryEscalationDatabase) {
    super();
  }

  transaction<T>(fn: (tx: TaskTransaction) => Promise<T>): Promise<T> {
    return this.db.serialized(() => fn(new InMemoryTaskTransaction(this.db)));
  }

  async find(id: string): Promise<TaskRow | undefined> {
    return this.db.task(id);
  }

  async list(q: TaskQuery): Promise<Page<TaskRow>> {
    const rows = [...this.db.tables.tasks.values()].filter(
      (t) =>
        (!q.tenantId || t.tenant_id === q.tenantId) &&
        (!q.status || t.status === q.status) &&
        (!q.group || t.reviewer_group === q.group) &&
        (!q.route || t.route === q.route) &&
        (!q.agentId || t.agent_id === q.agentId) &&
        (!q.action || t.action === q.action),
    );
    // The repository's order as a comparison of positions: nulls at the far end, ties by id.
    const resolved = q.status === 'resolved';
    const keyOf = (t: TaskRow) => {
      const [first, created, id] = taskPosition(t, q.status);
      return [
        first === null ? (resolved ? -Infinity : Infinity) : Date.parse(first),
        Date.parse(created),
        id,
      ] as const;
    };
    const compare = (a: readonly [number, number, string], b: readonly [number, number, string]) =>
      (a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2])) * (resolved ? -1 : 1);
    const after = TASKS_KEYSET.after(q);
    const afterKey =
      after &&
      ([
        after[0] === null ? (resolved ? -Infinity : Infinity) : Date.parse(after[0]),
        Date.parse(after[1]),
        after[2],
      ] as const);
    const page = rows
      .map((t) => ({ t, key: keyOf(t) }))
      .filter(({ key }) => !afterKey || compare(key, afterKey) > 0)
      .sort((a, b) => compare(a.key, b.key))
      .slice(0, q.limit + 1)
      .map(({ t }) => t);
    return TASKS_KEYSET.page(copy(page), q.limit, (t) => taskPosition(t, q.status));
  }

  async purgeReceived(before: Date): Promise<void> {
    for (const [id, row] of this.db.tables.intents)
      if (row.receivedAt < before) this.db.tables.intents.delete(id);
    for (const [id, row] of this.db.tables.escalatedDecisions)
      if (row.receivedAt < before) this.db.tables.escalatedDecisions.delete(id);
  }
}

class InMemoryTaskTransaction implements TaskTransaction {
  constructor(private readonly db: InMemoryEscalationDatabase) {}

  private get t(): Tables {
    return this.db.tables;
  }

  async lockIntents(): Promise<void> {
    // Transactions are serialised already.
  }

  async saveIntents(intents: ProposalToKeep[]): Promise<void> {
    this.db.check('saveIntents');
    for (const { intent, tenantId } of intents)
      if (!this.t.intents.has(intent.intentId))
        this.t.intents.set(intent.intentId, {
          tenantId,
          payload: jsonb(intent),
          receivedAt: this.db.clock.now(),
        });
  }

  async escalatedWithoutTask(intentIds: string[]): Promise<string[]> {
    const tasked = new Set([...this.t.tasks.values()].map((t) => t.intent_id));
    return intentIds.filter((id) => this.t.escalatedDecisions.has(id) && !tasked.has(id));
  }

  async saveEscalatedDecision(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    if (!this.t.escalatedDecisions.has(event.data.intentId))
      this.t.escalatedDecisions.set(event.data.intentId, {
        envelope: jsonb(event),
        receivedAt: this.db.clock.now(),
      });
  }

  async findIntent(intentId: string): Promise<IntentProposedV1 | undefined> {
    return copy(this.t.intents.get(intentId)?.payload);
  }

  async findEscalatedDecision(intentId: string): Promise<EventEnvelope<IntentDecidedV1> | undefined> {
    return copy(this.t.escalatedDecisions.get(intentId)?.envelope);
  }

  async insertTask(n: NewTask): Promise<boolean> {
    this.db.check('insertTask');
    if ([...this.t.tasks.values()].some((t) => t.intent_id === n.intent_id)) return false;
    this.t.tasks.set(n.id, {
      ...jsonb(n),
      due_at: time(n.due_at),
      created_at: new Date(n.created_at),
      status: 'open',
      tier: 0,
      claimed_by: null,
      approvals: [],
      comments: [],
      resolution: null,
      final_decision: null,
      resolved_at: null,
      updated_at: new Date(n.created_at),
    });
    return true;
  }

  async find(id: string): Promise<TaskRow | undefined> {
    return this.db.task(id);
  }

  async lock(id: string): Promise<TaskRow | undefined> {
    return this.db.task(id);
  }

  async lockOpenByIntent(intentId: string): Promise<TaskRow | undefined> {
    const task = this.db.taskOf(intentId);
    return task?.status === 'open' ? task : undefined;
  }

  async lockDue(now: Date, limit: number): Promise<TaskRow[]> {
    return copy(
      [...this.t.tasks.values()]
        .filter((t) => t.status === 'open' && t.due_at !== null && t.due_at <= now)
        .sort((a, b) => a.due_at!.getTime() - b.due_at!.getTime())
        .slice(0, limit),
    );
  }

  async update(id: string, changes: TaskChanges): Promise<void> {
    this.db.check('update');
    const task = this.t.tasks.get(id);
    if (!task) return;
    const row = task as unknown as Record<string, unknown>;
    for (const [column, value] of Object.entries(changes))
      row[column] = JSON_COLUMNS.has(column)
        ? jsonb(value)
        : TIME_COLUMNS.has(column)
          ? time(value as Date | string | null)
          : value;
  }

  async addToOutbox(items: OutboxItem[]): Promise<void> {
    this.db.check('addToOutbox');
    for (const { event, key } of items)
      if (!this.t.outbox.has(event.id))
        this.t.outbox.set(event.id, {
          id: event.id,
          type: event.type,
          key,
          envelope: jsonb(event),
          createdAt: this.db.clock.now(),
          sentAt: null,
        });
  }

  async queueCallback(url: string, body: CallbackBody): Promise<void> {
    if (this.t.callbacks.has(body.eventId)) return;
    const now = this.db.clock.now();
    this.t.callbacks.set(body.eventId, {
      id: body.eventId,
      url,
      body: jsonb(body),
      attempts: 0,
      dueAt: now,
      deliveredAt: null,
      lastError: null,
      createdAt: now,
    });
  }
}

export class InMemoryOutboxRepository extends OutboxRepository {
  constructor(private readonly db: InMemoryEscalationDatabase) {
    super();
  }

  transaction<T>(fn: (tx: OutboxTransaction) => Promise<T>): Promise<T> {
    return this.db.serialized(() =>
      fn({
        lockUnsent: async (limit) =>
          copy(
            [...this.db.tables.outbox.values()]
              .filter((r) => r.sentAt === null)
              .slice(0, limit)
              .map(({ id, key, envelope }) => ({ id, key, envelope })),
          ),
        markSent: async (ids, at) => {
          for (const id of ids) {
            const row = this.db.tables.outbox.get(id);
            if (row) row.sentAt = new Date(at);
          }
        },
      }),
    );
  }

  async purgeSent(before: Date): Promise<void> {
    for (const [id, row] of this.db.tables.outbox)
      if (row.sentAt && row.sentAt < before) this.db.tables.outbox.delete(id);
  }
}

export class InMemoryCallbackRepository extends CallbackRepository {
  constructor(private readonly db: InMemoryEscalationDatabase) {
    super();
  }

  async claimDue(now: Date, maxAttempts: number, limit: number, leaseUntil: Date): Promise<DueCallback[]> {
    const due = [...this.db.tables.callbacks.values()]
      .filter((c) => c.deliveredAt === null && c.attempts < maxAttempts && c.dueAt <= now)
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, limit);
    for (const c of due) c.dueAt = new Date(leaseUntil);
    return copy(due.map(({ id, url, body, attempts }) => ({ id, url, body, attempts })));
  }

  async markDelivered(id: string, at: Date): Promise<void> {
    const c = this.db.tables.callbacks.get(id);
    if (!c) return;
    c.deliveredAt = new Date(at);
    c.attempts += 1;
    c.lastError = null;
  }

  async markFailed(id: string, attempts: number, retryAt: Date, reason: string): Promise<void> {
    const c = this.db.tables.callbacks.get(id);
    if (!c || c.deliveredAt) return;
    Object.assign(c, { attempts, dueAt: new Date(retryAt), lastError: reason });
  }

  async purge(before: Date): Promise<void> {
    for (const [id, c] of this.db.tables.callbacks)
      if ((c.deliveredAt && c.deliveredAt < before) || (!c.deliveredAt && c.createdAt < before))
        this.db.tables.callbacks.delete(id);
  }
}

/** The ports that call out, recorded. */
export class RecordingNotifier {
  readonly notices: { url?: string; text: string }[] = [];
  notify(url: string | undefined, text: string): void {
    this.notices.push({ url, text });
  }
  asNotifier(): Notifier {
    return this as unknown as Notifier;
  }
}

export class RecordingPublisher {
  readonly published: { event: EventEnvelope; key: string }[] = [];
  failNext?: Error;
  async publishMany(items: { event: EventEnvelope; key: string }[]): Promise<void> {
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
    this.published.push(...copy(items));
  }
  asPublisher(): EventPublisher {
    return this as unknown as EventPublisher;
  }
}

export class ScriptedSender {
  readonly calls: { purpose: string; url: string; body: string; headers: Record<string, string> }[] = [];
  /** Answers in turn; a function is called with the request (it may throw, or never settle). */
  answers: (number | Error | (() => Promise<number>))[] = [];
  async postJson(
    purpose: string,
    url: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<number> {
    this.calls.push({ purpose, url, body, headers });
    const answer = this.answers.shift() ?? 200;
    if (answer instanceof Error) throw answer;
    return typeof answer === 'function' ? answer() : answer;
  }
  asSender(): WebhookSender {
    return this as unknown as WebhookSender;
  }
}

export class ScriptedGuardrail {
  readonly previews: { agent: AgentIdentity; params: Record<string, unknown> }[] = [];
  answer: PreviewVerdict | Error = { verdict: 'allow', reasons: [] };
  async preview(agent: AgentIdentity, intent: { params: Record<string, unknown> }): Promise<PreviewVerdict> {
    this.previews.push({ agent, params: intent.params });
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
  asClient(): GuardrailClient {
    return this as unknown as GuardrailClient;
  }
}

export class RecordingLogger {
  readonly warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  warn(fields: Record<string, unknown>, msg: string): void {
    this.warnings.push({ fields, msg });
  }
  asLogger(): Logger {
    return this as unknown as Logger;
  }
}

export const CALLBACK_SECRET = 'unit-test-callback-secret-of-32-chars!';

export function testConfig(overrides: Partial<EscalationConfig> = {}): EscalationConfig {
  return {
    ESCALATION_DECISION_TTL_MS: 15 * 60_000,
    ESCALATION_RETENTION_HOURS: 24,
    ESCALATION_SLA_POLL_MS: 1000,
    ESCALATION_OUTBOX_POLL_MS: 200,
    ESCALATION_NOTIFY_ATTEMPTS: 1,
    ESCALATION_CALLBACK_ATTEMPTS: 3,
    ESCALATION_CALLBACK_SECRET: CALLBACK_SECRET,
    ...overrides,
  } as EscalationConfig;
}

/**
 * Three routes: refunds above 500 need four-eyes from service-leads (two tiers), other service
 * actions go to service-reviewers then service-leads, anything else to reviewers (one tier, allow
 * on timeout).
 */
export const TEST_RULES: RoutingRules = parseRoutingRules(`
default:
  name: default
  tiers: [{ group: reviewers, slaMs: 60000 }]
  timeoutOutcome: allow
  notifyUrl: https://hooks.example.com/default
routes:
  - name: large-refunds
    match: { actions: ['service.issue_refund'], amountField: amount, minAmount: 500 }
    tiers: [{ group: service-leads, slaMs: 30000 }, { group: service-directors, slaMs: 60000 }]
    fourEyes: true
  - name: customer-service
    match: { actions: ['service.*'] }
    tiers: [{ group: service-reviewers, slaMs: 10000 }, { group: service-leads, slaMs: 20000 }]
`);

export const TENANT = 'maison';

export function agent(labels: Record<string, string> = {}, tenantId = TENANT): AgentIdentity {
  return { id: 'svc-agent-1', tenantId, role: 'service', version: '1', region: 'eu', labels };
}

export function proposal(
  params: Record<string, unknown> = { amount: 120 },
  options: { action?: string; agent?: AgentIdentity; intentId?: string } = {},
): EventEnvelope<IntentProposedV1> {
  const a = options.agent ?? agent();
  const intentId = options.intentId ?? newEventId();
  return createEvent(
    'agentops.intent.proposed.v1',
    {
      intentId,
      agent: a,
      action: options.action ?? 'service.issue_refund',
      target: { type: 'order', id: 'order-7' },
      params,
      confidence: 0.6,
      justification: 'the parcel was lost',
      dataUsed: [],
      proposedAt: '2026-03-02T08:59:59.000Z',
    },
    { source: 'agentops/ingest', tenantid: a.tenantId, agentid: a.id, correlationid: intentId },
  );
}

export function escalateVerdict(intent: EventEnvelope<IntentProposedV1>): EventEnvelope<IntentDecidedV1> {
  const d = intent.data;
  return createEvent(
    'agentops.intent.decided.v1',
    {
      intentId: d.intentId,
      agentId: d.agent.id,
      action: d.action,
      verdict: 'escalate',
      reasons: [
        {
          policyId: 'retail.refunds',
          policyVersion: '3',
          message: 'refunds need a human',
          effect: 'escalate',
          mode: 'enforce',
        },
      ],
      obligations: [],
      decidedBy: 'policy',
      decidedAt: '2026-03-02T09:00:00.000Z',
      expiresAt: '2026-03-02T09:15:00.000Z',
    },
    {
      source: 'agentops/guardrail',
      tenantid: d.agent.tenantId,
      agentid: d.agent.id,
      correlationid: d.intentId,
      cause: intent,
    },
  );
}

/** Every use case of escalation over the in-memory doubles, wired as the module wires them. */
export function escalationUnderTest(
  options: { config?: Partial<EscalationConfig>; rules?: RoutingRules } = {},
) {
  const clock = new FakeClock();
  const db = new InMemoryEscalationDatabase(clock);
  const tasks = new InMemoryTaskRepository(db);
  const outbox = new InMemoryOutboxRepository(db);
  const callbacks = new InMemoryCallbackRepository(db);
  const notifier = new RecordingNotifier();
  const publisher = new RecordingPublisher();
  const sender = new ScriptedSender();
  const guardrail = new ScriptedGuardrail();
  const logger = new RecordingLogger();
  const config = testConfig(options.config);
  const rules = options.rules ?? TEST_RULES;
  const workflow = new TaskWorkflow(
    tasks,
    rules,
    config,
    notifier.asNotifier(),
    clock,
    'agentops/escalation',
  );
  return {
    clock,
    db,
    tasks,
    notifier,
    publisher,
    sender,
    guardrail,
    logger,
    config,
    workflow,
    review: new ReviewService(
      tasks,
      workflow,
      guardrail.asClient(),
      notifier.asNotifier(),
      rules,
      logger.asLogger(),
      clock,
    ),
    sla: new SlaScheduler(
      tasks,
      outbox,
      callbacks,
      workflow,
      notifier.asNotifier(),
      config,
      logger.asLogger(),
      clock,
    ),
    relay: new OutboxRelay(outbox, publisher.asPublisher(), config, logger.asLogger(), clock),
    dispatcher: new CallbackDispatcher(callbacks, sender.asSender(), config, logger.asLogger(), clock),
    /** Opens a task the way the consumer does: the proposal, then the escalate verdict. */
    async open(intent = proposal()): Promise<TaskRow> {
      await workflow.onIntents([intent]);
      await workflow.onEscalated(escalateVerdict(intent));
      const task = db.taskOf(intent.data.intentId);
      if (!task) throw new Error('no task opened');
      return task;
    },
  };
}
