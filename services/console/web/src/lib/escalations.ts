/**
 * Escalation inbox logic: SLA state from `dueAt`, queues grouped by route, the four-eyes line.
 * Pure, unit-tested.
 */

export type SlaState = 'overdue' | 'due-soon' | 'on-time' | 'no-sla';

/** A task is "due soon" within this much of its deadline. */
export const DUE_SOON_MS = 15 * 60 * 1000;

export function slaState(
  dueAt: string | null | undefined,
  now: number = Date.now(),
  soonMs = DUE_SOON_MS,
): SlaState {
  if (!dueAt) return 'no-sla';
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return 'no-sla';
  if (due <= now) return 'overdue';
  if (due - now <= soonMs) return 'due-soon';
  return 'on-time';
}

export const SLA_LABEL: Record<SlaState, string> = {
  overdue: 'Overdue',
  'due-soon': 'Due soon',
  'on-time': 'On time',
  'no-sla': 'No SLA',
};

const SEVERITY: Record<SlaState, number> = { overdue: 3, 'due-soon': 2, 'on-time': 1, 'no-sla': 0 };

export interface QueueTask {
  route: string;
  group: string;
  status: string;
  dueAt: string | null;
}

export interface QueueSummary {
  route: string;
  groups: string[];
  count: number;
  overdue: number;
  dueSoon: number;
  /** The worst SLA state in the queue (what its badge shows). */
  state: SlaState;
  /** The earliest deadline, for "next due". */
  nextDueAt: string | null;
}

/** Open tasks per route, worst queues first (overdue, then due soon, then by size). */
export function summariseQueues(tasks: QueueTask[], now: number = Date.now()): QueueSummary[] {
  const byRoute = new Map<string, QueueSummary>();
  for (const t of tasks) {
    if (t.status !== 'open') continue;
    let q = byRoute.get(t.route);
    if (!q) {
      q = { route: t.route, groups: [], count: 0, overdue: 0, dueSoon: 0, state: 'no-sla', nextDueAt: null };
      byRoute.set(t.route, q);
    }
    q.count++;
    if (!q.groups.includes(t.group)) q.groups.push(t.group);
    const s = slaState(t.dueAt, now);
    if (s === 'overdue') q.overdue++;
    if (s === 'due-soon') q.dueSoon++;
    if (SEVERITY[s] > SEVERITY[q.state]) q.state = s;
    if (t.dueAt && (!q.nextDueAt || Date.parse(t.dueAt) < Date.parse(q.nextDueAt))) q.nextDueAt = t.dueAt;
  }
  return [...byRoute.values()].sort(
    (a, b) =>
      b.overdue - a.overdue || b.dueSoon - a.dueSoon || b.count - a.count || a.route.localeCompare(b.route),
  );
}

export interface ApprovalTask {
  status: string;
  fourEyes: boolean;
  requiredApprovals?: number;
  approvals: { by: string }[];
  agent?: { owner?: string | null };
}

export interface ApprovalSummary {
  /** `1 of 2 approvals; needs a different reviewer`. */
  text: string;
  given: number;
  required: number;
  /** Whether `me` may approve now (open, not the owner, not already approved). */
  canApprove: boolean;
  /** Why not, when `canApprove` is false. */
  blockedBecause?: string;
}

export function approvalSummary(task: ApprovalTask, me: string): ApprovalSummary {
  const required = task.requiredApprovals ?? (task.fourEyes ? 2 : 1);
  const approvers = [...new Set(task.approvals.map((a) => a.by))];
  const given = approvers.length;
  let text = `${given} of ${required} approval${required === 1 ? '' : 's'}`;
  if (task.status === 'open' && given > 0 && given < required) text += '; needs a different reviewer';
  if (task.status === 'open' && given === 0 && required > 1) text += '; four-eyes: two different reviewers';
  let blockedBecause: string | undefined;
  if (task.status !== 'open') blockedBecause = `the task is ${task.status}`;
  else if (task.agent?.owner && task.agent.owner === me) blockedBecause = 'you own this agent';
  else if (approvers.includes(me)) blockedBecause = 'you already approved; a different reviewer must approve';
  return { text, given, required, canApprove: !blockedBecause, blockedBecause };
}

/**
 * Parses the "approve with changes" textarea: a JSON object of params. Returns the message to show
 * when it is not one.
 */
export function parseParams(
  text: string,
): { ok: true; params: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `params are not valid JSON: ${(e as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, message: 'params must be a JSON object, e.g. {"price": 2150}' };
  return { ok: true, params: value as Record<string, unknown> };
}

export interface ReasonLike {
  effect: string;
  mode?: string;
  message: string;
}

/**
 * The reason to show in the inbox's "Why" column: the enforced escalate reason (what put the task
 * here), else the first reason that did something, else the first one.
 */
export function whyReason<R extends ReasonLike>(reasons: readonly R[]): R | undefined {
  return (
    reasons.find((r) => r.effect === 'escalate' && r.mode !== 'shadow') ??
    reasons.find((r) => r.effect !== 'allow') ??
    reasons[0]
  );
}

/**
 * The params of the latest approval that edited them: what the task resolves with (the server
 * finalises with the latest approver's edit), and where "approve with changes" starts.
 */
export function latestApprovalParams(
  approvals: readonly { params?: Record<string, unknown> | null }[],
): Record<string, unknown> | undefined {
  for (let i = approvals.length - 1; i >= 0; i--) {
    const p = approvals[i].params;
    if (p) return p;
  }
  return undefined;
}
