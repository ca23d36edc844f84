import { AgentIdentity } from '@agentops/contracts';
import { Principal, canAccessTenant } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Notifier } from '../notify/notifier';
import { TaskRow, TaskView, taskView } from '../tasks/task-model';
import { TaskError } from '../tasks/task-errors';
import { TaskWorkflow } from '../tasks/task-workflow';
import { GuardrailClient } from './guardrail-client';
import { Approval, approvedParams, checkApproval, isApproved } from './review-rules';

export interface TaskFilter {
  status?: 'open' | 'resolved';
  group?: string;
  route?: string;
  agentId?: string;
  action?: string;
  tenantId?: string;
  limit: number;
}

/** Use cases behind the reviewer API; tenant-scoped, errors coded (TaskError). */
@Injectable()
export class ReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly workflow: TaskWorkflow,
    private readonly guardrail: GuardrailClient,
    private readonly notifier: Notifier,
  ) {}

  async list(principal: Principal, filter: TaskFilter): Promise<TaskView[]> {
    if (filter.tenantId && !canAccessTenant(principal, filter.tenantId))
      throw new TaskError('forbidden', `no access to tenant ${filter.tenantId}`);
    const tenant = filter.tenantId ?? (principal.tenantId === '*' ? undefined : principal.tenantId);
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      args.push(value);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (tenant) add('tenant_id = ?', tenant);
    if (filter.status) add('status = ?', filter.status);
    if (filter.group) add('reviewer_group = ?', filter.group);
    if (filter.route) add('route = ?', filter.route);
    if (filter.agentId) add('agent_id = ?', filter.agentId);
    if (filter.action) add('action = ?', filter.action);
    args.push(filter.limit);
    // Open work soonest due first; decided work most recent first (a resolved task has no due time).
    const order =
      filter.status === 'resolved'
        ? 'resolved_at DESC NULLS LAST, created_at DESC'
        : 'due_at NULLS LAST, created_at';
    const rows: TaskRow[] = await this.dataSource.query(
      `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${args.length}`,
      args,
    );
    return rows.map(taskView);
  }

  async get(principal: Principal, id: string): Promise<TaskView> {
    const [task]: TaskRow[] = await this.dataSource.query(`SELECT * FROM tasks WHERE id = $1`, [id]);
    return taskView(this.accessible(principal, task, id));
  }

  async claim(principal: Principal, id: string): Promise<TaskView> {
    return this.change(principal, id, async (m, task, now) => {
      this.assertOpen(task);
      if (task.claimed_by && task.claimed_by !== principal.id)
        throw new TaskError('conflict', `already claimed by ${task.claimed_by}`);
      await m.query(`UPDATE tasks SET claimed_by = $2, history = $3, updated_at = $4 WHERE id = $1`, [
        id,
        principal.id,
        JSON.stringify([...task.history, { at: now, by: principal.id, what: 'claimed' }]),
        now,
      ]);
    });
  }

  async comment(principal: Principal, id: string, text: string): Promise<TaskView> {
    return this.change(principal, id, async (m, task, now) => {
      await m.query(`UPDATE tasks SET comments = $2, updated_at = $3 WHERE id = $1`, [
        id,
        JSON.stringify([...task.comments, { by: principal.id, text, at: now }]),
        now,
      ]);
    });
  }

  /**
   * Approve, or approve with changes (`params`): edited params are re-checked by guardrail and
   * refused (422) if the edited intent would be denied. Four-eyes routes need two distinct
   * approvers; the agent's owner may never approve its request.
   */
  async approve(
    principal: Principal,
    id: string,
    body: { comment?: string; params?: Record<string, unknown> },
  ): Promise<TaskView> {
    const [current]: TaskRow[] = await this.dataSource.query(`SELECT * FROM tasks WHERE id = $1`, [id]);
    this.assertApprovable(this.accessible(principal, current, id), principal);
    if (body.params) await this.recheck(current, body.params);
    let resolved: TaskRow | undefined;
    const view = await this.change(principal, id, async (m, task, now) => {
      this.assertApprovable(task, principal);
      const approvals: Approval[] = [
        ...task.approvals,
        {
          by: principal.id,
          at: now,
          ...(body.params ? { params: body.params } : {}),
          ...(body.comment ? { comment: body.comment } : {}),
        },
      ];
      if (!isApproved(task.four_eyes, approvals)) {
        await m.query(`UPDATE tasks SET approvals = $2, history = $3, updated_at = $4 WHERE id = $1`, [
          id,
          JSON.stringify(approvals),
          JSON.stringify([
            ...task.history,
            { at: now, by: principal.id, what: `approved (1 of 2)${body.params ? ' with changes' : ''}` },
          ]),
          now,
        ]);
        return;
      }
      const edited = approvedParams(approvals);
      const reviewers = [...new Set(approvals.map((a) => a.by))];
      await this.workflow.resolve(m, task, {
        resolution: edited ? 'modified' : 'approved',
        verdict: edited ? 'modify' : 'allow',
        decidedBy: 'human',
        reviewers,
        by: principal.id,
        message: `${edited ? 'approved with changes' : 'approved'} by ${reviewers.join(' and ')}`,
        comment: body.comment,
        modifiedParams: edited,
        approvals,
      });
      resolved = task;
    });
    if (resolved) this.notifyResolved(resolved, view);
    return view;
  }

  async reject(principal: Principal, id: string, body: { comment?: string }): Promise<TaskView> {
    let resolved: TaskRow | undefined;
    const view = await this.change(principal, id, async (m, task) => {
      this.assertOpen(task);
      await this.workflow.resolve(m, task, {
        resolution: 'rejected',
        verdict: 'deny',
        decidedBy: 'human',
        reviewers: [principal.id],
        by: principal.id,
        message: `rejected by ${principal.id}${body.comment ? `: ${body.comment}` : ''}`,
        comment: body.comment,
      });
      resolved = task;
    });
    if (resolved) this.notifyResolved(resolved, view);
    return view;
  }

  private async recheck(task: TaskRow, params: Record<string, unknown>): Promise<void> {
    if (!task.intent)
      throw new TaskError('conflict', 'the intent of this task is unknown; it cannot be edited');
    const { action, target, confidence, justification, dataUsed } = task.intent;
    let preview;
    try {
      preview = await this.guardrail.preview(task.intent.agent as AgentIdentity, {
        action,
        target,
        params,
        confidence,
        justification,
        dataUsed,
      });
    } catch (error) {
      throw new TaskError(
        'unavailable',
        `cannot re-check the edited params with guardrail: ${(error as Error).message}`,
      );
    }
    if (preview.verdict === 'deny') {
      throw new TaskError('refused', 'the edited intent would be denied by policy', {
        verdict: preview.verdict,
        reasons: preview.reasons.filter((r) => r.effect === 'deny'),
      });
    }
  }

  /** Locks the task, checks tenant access, applies `fn` in one transaction, returns the new view. */
  private async change(
    principal: Principal,
    id: string,
    fn: (m: EntityManager, task: TaskRow, now: string) => Promise<void>,
  ): Promise<TaskView> {
    return this.dataSource.transaction(async (m) => {
      const [task]: TaskRow[] = await m.query(`SELECT * FROM tasks WHERE id = $1 FOR UPDATE`, [id]);
      await fn(m, this.accessible(principal, task, id), new Date().toISOString());
      const [after]: TaskRow[] = await m.query(`SELECT * FROM tasks WHERE id = $1`, [id]);
      return taskView(after);
    });
  }

  private accessible(principal: Principal, task: TaskRow | undefined, id: string): TaskRow {
    if (!task) throw new TaskError('not_found', `no escalation task ${id}`);
    if (!canAccessTenant(principal, task.tenant_id))
      throw new TaskError('forbidden', `no access to tenant ${task.tenant_id}`);
    return task;
  }

  private assertOpen(task: TaskRow): void {
    if (task.status !== 'open')
      throw new TaskError('closed', `task ${task.id} is ${task.status} (${task.resolution})`);
  }

  private assertApprovable(task: TaskRow, principal: Principal): void {
    const check = checkApproval(
      { status: task.status, fourEyes: task.four_eyes, approvals: task.approvals, owner: task.owner },
      principal.id,
    );
    if (check.ok) return;
    if (check.code === 'closed') this.assertOpen(task);
    throw new TaskError(check.code === 'self-approval' ? 'forbidden' : 'conflict', check.message);
  }

  private notifyResolved(task: TaskRow, view: TaskView): void {
    this.notifier.notify(
      task.route_spec.notifyUrl,
      `Escalation ${task.id} (${task.action} by ${task.agent_id}) ${view.resolution} by ${view.finalDecision?.reviewers?.join(', ') ?? '?'}`,
    );
  }
}
