import { AgentIdentity } from '@agentops/contracts';
import { Clock, LOGGER, Page, Principal, canAccessTenant } from '@agentops/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Notifier } from '../notify/notifier';
import { ROUTING_RULES } from '../routing/routing.tokens';
import { RouteSpec, RoutingRules, requiredApprovals, routeFor, routingFacts } from '../routing/routing-rules';
import { TaskRow, TaskView, taskView } from '../tasks/task-model';
import { TaskError } from '../tasks/task-errors';
import { TaskRepository, TaskTransaction } from '../tasks/task-repository';
import { TaskWorkflow } from '../tasks/task-workflow';
import { GuardrailClient, PreviewVerdict } from './guardrail-client';
import {
  Approval,
  approvedParams,
  checkApproval,
  countingApprovals,
  decidingGroups,
  isApproved,
  isInDecidingGroup,
} from './review-rules';

export interface TaskFilter {
  status?: 'open' | 'resolved';
  group?: string;
  route?: string;
  agentId?: string;
  action?: string;
  tenantId?: string;
  cursor?: string;
  limit: number;
}

/**
 * Use cases behind the reviewer API; tenant-scoped, errors coded (TaskError). Reading and
 * commenting are open to the tenant's reviewers; claiming and deciding to the members of the
 * groups the task's route names for its tier (the `groups` claim of their token). The platform
 * operator may decide any task (break-glass): logged, and marked in the task's history.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly workflow: TaskWorkflow,
    private readonly guardrail: GuardrailClient,
    private readonly notifier: Notifier,
    @Inject(ROUTING_RULES) private readonly rules: RoutingRules,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async list(principal: Principal, filter: TaskFilter): Promise<Page<TaskView>> {
    if (filter.tenantId && !canAccessTenant(principal, filter.tenantId))
      throw new TaskError('forbidden', `no access to tenant ${filter.tenantId}`);
    const tenant = filter.tenantId ?? (principal.tenantId === '*' ? undefined : principal.tenantId);
    const { items, next } = await this.tasks.list({ ...filter, tenantId: tenant });
    return { items: items.map(taskView), next };
  }

  async get(principal: Principal, id: string): Promise<TaskView> {
    return taskView(this.accessible(principal, await this.tasks.find(id), id));
  }

  async claim(principal: Principal, id: string): Promise<TaskView> {
    return this.change(principal, id, async (m, task, now) => {
      this.assertOpen(task);
      const breakGlass = this.authorize(principal, task, 'claim');
      if (task.claimed_by && task.claimed_by !== principal.id)
        throw new TaskError('conflict', `already claimed by ${task.claimed_by}`);
      await m.update(id, {
        claimed_by: principal.id,
        history: [...task.history, { at: now, by: principal.id, what: `claimed${glass(breakGlass)}` }],
        updated_at: now,
      });
    });
  }

  async comment(principal: Principal, id: string, text: string): Promise<TaskView> {
    return this.change(principal, id, async (m, task, now) => {
      await m.update(id, {
        comments: [...task.comments, { by: principal.id, text, at: now }],
        updated_at: now,
      });
    });
  }

  /**
   * Approve, or approve with changes (`params`): edited params are re-checked by guardrail and
   * refused (422) if the edited intent would be denied. An edit that routes differently (another
   * SKU, a larger amount) moves the task to the new route, which then needs its own approvals from
   * its own groups — the editor's counts only if they belong to them — and never fewer than the
   * route it leaves. Four-eyes routes need two distinct approvers of what is finally proposed; the
   * agent's owner may never approve its request.
   */
  async approve(
    principal: Principal,
    id: string,
    body: { comment?: string; params?: Record<string, unknown> },
  ): Promise<TaskView> {
    const before = this.accessible(principal, await this.tasks.find(id), id);
    this.assertApprovable(before, principal);
    this.authorize(principal, before, 'approve', false);
    const editedRoute = body.params ? await this.routeOfEdit(before, body.params) : undefined;
    let resolved: TaskRow | undefined;
    let moved: TaskRow | undefined;
    const view = await this.change(principal, id, async (m, locked, now) => {
      this.assertApprovable(locked, principal);
      const breakGlass = this.authorize(principal, locked, 'approve');
      let task = locked;
      if (editedRoute && editedRoute.name !== locked.route) {
        task = await this.moveToRoute(m, locked, editedRoute, principal.id, now);
        moved = task;
      }
      // On a task the edit moved, the editor's approval counts only if they may decide there too.
      const counts = task === locked || breakGlass || isInDecidingGroup(principal.groups, task.route_spec, 0);
      const approval: Approval = {
        by: principal.id,
        at: now,
        route: counts ? task.route : locked.route,
        ...(body.params ? { params: body.params } : {}),
        ...(body.comment ? { comment: body.comment } : {}),
        ...(breakGlass ? { breakGlass } : {}),
      };
      const approvals: Approval[] = [...task.approvals, approval];
      if (!isApproved(task.four_eyes, approvals, task.route)) {
        const given = new Set(countingApprovals(approvals, task.route).map((a) => a.by)).size;
        const what = counts
          ? `approved (${given} of ${requiredApprovals({ fourEyes: task.four_eyes })})${body.params ? ' with changes' : ''}${glass(breakGlass)}`
          : `proposed changes; route ${task.route} needs approvals from ${decidingGroups(task.route_spec, 0).join(' or ')}`;
        await m.update(id, {
          approvals,
          history: [...task.history, { at: now, by: principal.id, what }],
          updated_at: now,
        });
        return;
      }
      const edited = approvedParams(approvals);
      const reviewers = [...new Set(countingApprovals(approvals, task.route).map((a) => a.by))];
      await this.workflow.resolve(m, task, {
        resolution: edited ? 'modified' : 'approved',
        verdict: edited ? 'modify' : 'allow',
        decidedBy: 'human',
        reviewers,
        by: principal.id,
        message: `${edited ? 'approved with changes' : 'approved'} by ${reviewers.join(' and ')}${glass(breakGlass)}`,
        comment: body.comment,
        modifiedParams: edited,
        approvals,
      });
      resolved = task;
    });
    if (moved) this.notifyMoved(moved, principal.id);
    if (resolved) this.notifyResolved(resolved, view);
    return view;
  }

  async reject(principal: Principal, id: string, body: { comment?: string }): Promise<TaskView> {
    let resolved: TaskRow | undefined;
    const view = await this.change(principal, id, async (m, task) => {
      this.assertOpen(task);
      const breakGlass = this.authorize(principal, task, 'reject');
      await this.workflow.resolve(m, task, {
        resolution: 'rejected',
        verdict: 'deny',
        decidedBy: 'human',
        reviewers: [principal.id],
        by: principal.id,
        message: `rejected by ${principal.id}${glass(breakGlass)}${body.comment ? `: ${body.comment}` : ''}`,
        comment: body.comment,
      });
      resolved = task;
    });
    if (resolved) this.notifyResolved(resolved, view);
    return view;
  }

  /** The route the edited intent takes, by the catalog facts guardrail re-checked it with. */
  private async routeOfEdit(task: TaskRow, params: Record<string, unknown>): Promise<RouteSpec> {
    const preview = await this.recheck(task, params);
    return routeFor(this.rules, routingFacts({ ...task.intent!, params }, preview.facts));
  }

  /**
   * Moves a locked task to the route its edited intent takes: first tier, fresh SLA, unclaimed.
   * It keeps four-eyes if it had it: an edit can raise the approvals needed, never lower them.
   */
  private async moveToRoute(
    m: TaskTransaction,
    task: TaskRow,
    route: RouteSpec,
    by: string,
    now: string,
  ): Promise<TaskRow> {
    const spec: RouteSpec = { ...route, fourEyes: route.fourEyes || task.four_eyes };
    const dueAt = new Date(Date.parse(now) + spec.tiers[0].slaMs);
    const what =
      `the edit by ${by} moves the task from route ${task.route} to route ${spec.name} ` +
      `(${spec.tiers[0].group}, ${requiredApprovals(spec)} approval(s) needed)`;
    const moved: TaskRow = {
      ...task,
      route: spec.name,
      route_spec: spec,
      reviewer_group: spec.tiers[0].group,
      tier: 0,
      due_at: dueAt,
      four_eyes: spec.fourEyes,
      claimed_by: null,
      history: [...task.history, { at: now, by, what }],
    };
    await m.update(task.id, {
      route: moved.route,
      route_spec: spec,
      reviewer_group: moved.reviewer_group,
      tier: 0,
      due_at: dueAt,
      four_eyes: moved.four_eyes,
      claimed_by: null,
      history: moved.history,
      updated_at: now,
    });
    return moved;
  }

  private async recheck(task: TaskRow, params: Record<string, unknown>): Promise<PreviewVerdict> {
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
    return preview;
  }

  /** Locks the task, checks tenant access, applies `fn` in one transaction, returns the new view. */
  private async change(
    principal: Principal,
    id: string,
    fn: (m: TaskTransaction, task: TaskRow, now: string) => Promise<void>,
  ): Promise<TaskView> {
    return this.tasks.transaction(async (m) => {
      const task = await m.lock(id);
      await fn(m, this.accessible(principal, task, id), this.clock.now().toISOString());
      return taskView((await m.find(id))!);
    });
  }

  private accessible(principal: Principal, task: TaskRow | undefined, id: string): TaskRow {
    // Another tenant's task is as unknown as one that never existed: no tenant learns others' ids.
    if (!task || !canAccessTenant(principal, task.tenant_id))
      throw new TaskError('not_found', `no escalation task ${id}`);
    return task;
  }

  private assertOpen(task: TaskRow): void {
    if (task.status !== 'open')
      throw new TaskError('closed', `task ${task.id} is ${task.status} (${task.resolution})`);
  }

  /**
   * Whether the principal may claim or decide the task: a member of a group its route names for
   * the current tier or a later one (403 otherwise), or the operator by break-glass (answers true,
   * logged). Tenant admins are no exception: membership is granted, and audited, in the directory.
   */
  private authorize(principal: Principal, task: TaskRow, action: string, log = true): boolean {
    if (principal.kind === 'operator') {
      if (log)
        this.logger.warn(
          { taskId: task.id, tenantId: task.tenant_id, route: task.route, action, by: principal.id },
          'break-glass: the operator decides outside the route groups',
        );
      return true;
    }
    if (isInDecidingGroup(principal.groups, task.route_spec, task.tier)) return false;
    throw new TaskError(
      'forbidden',
      `${principal.id} may not ${action} task ${task.id}: route ${task.route} (tier ${task.tier}) is decided by ` +
        `members of ${decidingGroups(task.route_spec, task.tier).join(', ')}`,
    );
  }

  private assertApprovable(task: TaskRow, principal: Principal): void {
    const check = checkApproval(
      {
        status: task.status,
        fourEyes: task.four_eyes,
        approvals: task.approvals,
        owner: task.owner,
        route: task.route,
      },
      principal.id,
    );
    if (check.ok) return;
    if (check.code === 'closed') this.assertOpen(task);
    throw new TaskError(check.code === 'self-approval' ? 'forbidden' : 'conflict', check.message);
  }

  private notifyMoved(task: TaskRow, by: string): void {
    this.notifier.notify(
      task.route_spec.notifyUrl,
      `Escalation ${task.id} (${task.action} by ${task.agent_id}) moved to route ${task.route} by an edit of ${by}: ` +
        `queue ${task.reviewer_group}, ${requiredApprovals(task.route_spec)} approval(s) needed, due ${task.due_at?.toISOString()}`,
    );
  }

  private notifyResolved(task: TaskRow, view: TaskView): void {
    this.notifier.notify(
      task.route_spec.notifyUrl,
      `Escalation ${task.id} (${task.action} by ${task.agent_id}) ${view.resolution} by ${view.finalDecision?.reviewers?.join(', ') ?? '?'}`,
    );
  }
}

function glass(breakGlass: boolean): string {
  return breakGlass ? ' (break-glass)' : '';
}
