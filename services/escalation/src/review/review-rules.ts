import { requiredApprovals } from '../routing/routing-rules';

/**
 * Who may decide a task, and when approvals are enough. Pure, so the four-eyes, reviewer-group
 * and no-self-approval rules are unit-tested without a database.
 */
export interface Approval {
  by: string;
  at: string;
  params?: Record<string, unknown>;
  comment?: string;
  /**
   * The route the approval was given on: it counts only while the task stays on that route (an
   * edit that moves the task needs the new route's approvals). Absent on approvals recorded
   * before routes were remembered: they count for the task's route.
   */
  route?: string;
  /** Given by the platform operator outside the route's groups (break-glass). */
  breakGlass?: boolean;
}

export interface ApprovalState {
  status: string;
  fourEyes: boolean;
  approvals: Approval[];
  /** The agent's `owner` label: the user id accountable for the agent. */
  owner: string | null;
  /** The task's current route. */
  route: string;
}

/** The tiers of the task's route, enough to say who may decide. */
export interface TieredRoute {
  tiers: { group: string }[];
}

export type ApprovalCheck =
  { ok: true } | { ok: false; code: 'closed' | 'self-approval' | 'already-approved'; message: string };

/**
 * The groups whose members may decide a task at `tier` of its route: that tier's group and the
 * groups of the tiers after it, which the route names as the ones a breach escalates to (leads,
 * directors): they outrank the tier, so they may act before the SLA runs out.
 */
export function decidingGroups(route: TieredRoute, tier: number): string[] {
  return [...new Set(route.tiers.slice(Math.max(0, tier)).map((t) => t.group))];
}

export function isInDecidingGroup(groups: readonly string[], route: TieredRoute, tier: number): boolean {
  const deciding = decidingGroups(route, tier);
  return groups.some((g) => deciding.includes(g));
}

/**
 * The approvals that count now: those given on the task's current route, for what is now proposed
 * — an edit replaces the proposal, so approvals of the params before it no longer count.
 */
export function countingApprovals(approvals: Approval[], route: string): Approval[] {
  let since = 0;
  for (let i = approvals.length - 1; i >= 0; i--) {
    if (approvals[i].params) {
      since = i;
      break;
    }
  }
  return approvals.slice(since).filter((a) => (a.route ?? route) === route);
}

export function checkApproval(task: ApprovalState, reviewerId: string): ApprovalCheck {
  if (task.status !== 'open') return { ok: false, code: 'closed', message: `task is ${task.status}` };
  if (task.owner && task.owner === reviewerId) {
    return {
      ok: false,
      code: 'self-approval',
      message: `${reviewerId} owns the agent and cannot approve its request`,
    };
  }
  if (countingApprovals(task.approvals, task.route).some((a) => a.by === reviewerId)) {
    return {
      ok: false,
      code: 'already-approved',
      message: `${reviewerId} has already approved; a second, distinct approver is needed`,
    };
  }
  return { ok: true };
}

/** Whether the approvals (with the new one) complete the task on its current route. */
export function isApproved(fourEyes: boolean, approvals: Approval[], route: string): boolean {
  return (
    new Set(countingApprovals(approvals, route).map((a) => a.by)).size >= requiredApprovals({ fourEyes })
  );
}

/** The params the agent must use: the latest reviewer edit, if any approver edited. */
export function approvedParams(approvals: Approval[]): Record<string, unknown> | undefined {
  for (let i = approvals.length - 1; i >= 0; i--) if (approvals[i].params) return approvals[i].params;
  return undefined;
}
