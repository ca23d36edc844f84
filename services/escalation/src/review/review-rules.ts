/**
 * Who may approve a task, and when approvals are enough. Pure, so the four-eyes and
 * no-self-approval rules are unit-tested without a database.
 */
export interface Approval {
  by: string;
  at: string;
  params?: Record<string, unknown>;
  comment?: string;
}

export interface ApprovalState {
  status: string;
  fourEyes: boolean;
  approvals: Approval[];
  /** The agent's `owner` label: the user id accountable for the agent. */
  owner: string | null;
}

export type ApprovalCheck =
  { ok: true } | { ok: false; code: 'closed' | 'self-approval' | 'already-approved'; message: string };

export function requiredApprovals(fourEyes: boolean): number {
  return fourEyes ? 2 : 1;
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
  if (task.approvals.some((a) => a.by === reviewerId)) {
    return {
      ok: false,
      code: 'already-approved',
      message: `${reviewerId} has already approved; a second, distinct approver is needed`,
    };
  }
  return { ok: true };
}

/** Whether the approvals (with the new one) complete the task. */
export function isApproved(fourEyes: boolean, approvals: Approval[]): boolean {
  return new Set(approvals.map((a) => a.by)).size >= requiredApprovals(fourEyes);
}

/** The params the agent must use: the latest reviewer edit, if any approver edited. */
export function approvedParams(approvals: Approval[]): Record<string, unknown> | undefined {
  for (let i = approvals.length - 1; i >= 0; i--) if (approvals[i].params) return approvals[i].params;
  return undefined;
}
