import type { Obligation, OutcomeReportedV1, Verdict } from '@agentops/contracts';

/** What was approved for an intent: the final decision and the parameters it allowed. */
export interface Approval {
  action: string;
  verdict: Verdict;
  decidedBy: string;
  /** The intent's params, or the decision's modified params when it modified them. */
  approvedParams: Record<string, unknown>;
  obligations: Obligation[];
}

export interface OutcomeDifference {
  field: string;
  approved: unknown;
  actual: unknown;
  reason: string;
}

/**
 * Compares what an agent did with what it was allowed to do. An outcome of an action that was
 * never approved, a different price, a quantity above the cap, or text other than the text that
 * was checked are violations; an action that failed or was skipped changed nothing.
 */
export function verifyOutcome(
  approval: Approval | null,
  outcome: Pick<OutcomeReportedV1, 'action' | 'status' | 'executedParams'>,
): OutcomeDifference[] {
  if (outcome.status !== 'succeeded') return [];
  if (!approval)
    return [
      {
        field: 'decision',
        approved: null,
        actual: outcome.action,
        reason: 'no decision on record for this intent: the action was never approved',
      },
    ];
  const diffs: OutcomeDifference[] = [];
  if (approval.verdict !== 'allow' && approval.verdict !== 'modify') {
    diffs.push({
      field: 'verdict',
      approved: approval.verdict,
      actual: 'executed',
      reason: `executed although the decision was ${approval.verdict} (${approval.decidedBy})`,
    });
  }
  if (approval.action !== outcome.action) {
    diffs.push({
      field: 'action',
      approved: approval.action,
      actual: outcome.action,
      reason: 'executed a different action than the one decided',
    });
  }
  for (const [field, approved] of Object.entries(approval.approvedParams)) {
    if (!(field in outcome.executedParams)) continue;
    const actual = outcome.executedParams[field];
    if (!sameValue(approved, actual))
      diffs.push({
        field: `params.${field}`,
        approved,
        actual,
        reason: `${field} differs from the approved value`,
      });
  }
  for (const o of approval.obligations) {
    if (o.type !== 'cap') continue;
    const actual = Number(outcome.executedParams[o.field]);
    if (Number.isFinite(actual) && actual > o.max)
      diffs.push({
        field: `params.${o.field}`,
        approved: o.max,
        actual,
        reason: `${o.field} above the cap ${o.max}`,
      });
  }
  return dedupe(diffs);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return JSON.stringify(a) === JSON.stringify(b);
}

function dedupe(diffs: OutcomeDifference[]): OutcomeDifference[] {
  const seen = new Set<string>();
  return diffs.filter((d) => (seen.has(d.field + d.reason) ? false : (seen.add(d.field + d.reason), true)));
}
