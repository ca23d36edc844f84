/**
 * What the stores say about the intents a chaos scenario got accepted (HTTP 2xx), counted without
 * I/O: guardrail's stored decisions (one row per intent id) and audit's records (one per event id)
 * are read by `store-reads.ts` and handed here.
 */
export interface StoredDecision {
  intentId: string;
  /** The id of the decision event guardrail published (and republishes on redelivery). */
  eventId: string;
}

export interface AuditRecordRef {
  eventId: string;
  type: string;
  source: string;
  /** The intent's id for every event of its flow. */
  correlationId: string | null;
}

export const PROPOSED = 'agentops.intent.proposed.v1';
export const DECIDED = 'agentops.intent.decided.v1';
export const GUARDRAIL_SOURCE = 'agentops/guardrail';

export interface StoreCheck {
  accepted: number;
  /** Accepted intents missing their decision, the audit record of their proposal or of their decision. */
  lost: number;
  /** Extra decisions of an intent plus extra audit records of an event. */
  duplicates: number;
  /** Up to ten examples of each, for the report. */
  missingDecision: string[];
  missingProposalRecord: string[];
  missingDecisionRecord: string[];
  duplicateRecords: string[];
  duplicateDecisions: string[];
}

const EXAMPLES = 10;

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * Every accepted intent must have exactly one decision, and every event of its flow exactly one
 * audit record: the proposal's, and the stored decision's. guardrail republishes a stored decision
 * under its first event id, so two decision events of guardrail for one intent are a duplicate
 * decision, as are two rows (which the primary key forbids, and this still counts).
 */
export function checkStores(
  acceptedIntentIds: string[],
  decisions: StoredDecision[],
  records: AuditRecordRef[],
): StoreCheck {
  const accepted = [...new Set(acceptedIntentIds)];
  const decisionsByIntent = new Map<string, StoredDecision[]>();
  for (const d of decisions)
    decisionsByIntent.set(d.intentId, [...(decisionsByIntent.get(d.intentId) ?? []), d]);
  const recordsPerEvent = countBy(records, (r) => r.eventId);
  const proposalRecorded = new Set(records.filter((r) => r.type === PROPOSED).map((r) => r.correlationId));
  const guardrailDecisionEvents = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.type !== DECIDED || r.source !== GUARDRAIL_SOURCE || !r.correlationId) continue;
    const events = guardrailDecisionEvents.get(r.correlationId) ?? new Set<string>();
    events.add(r.eventId);
    guardrailDecisionEvents.set(r.correlationId, events);
  }

  const missingDecision: string[] = [];
  const missingProposalRecord: string[] = [];
  const missingDecisionRecord: string[] = [];
  const duplicateDecisions: string[] = [];
  let lost = 0;
  let duplicates = 0;
  for (const intentId of accepted) {
    const stored = decisionsByIntent.get(intentId) ?? [];
    const noDecision = stored.length === 0;
    const noProposal = !proposalRecorded.has(intentId);
    const noDecisionRecord = !noDecision && stored.some((d) => !recordsPerEvent.has(d.eventId));
    if (noDecision) missingDecision.push(intentId);
    if (noProposal) missingProposalRecord.push(intentId);
    if (noDecisionRecord) missingDecisionRecord.push(intentId);
    if (noDecision || noProposal || noDecisionRecord) lost++;
    const extra = Math.max(stored.length, guardrailDecisionEvents.get(intentId)?.size ?? 0) - 1;
    if (extra > 0) {
      duplicates += extra;
      duplicateDecisions.push(intentId);
    }
  }
  const duplicateRecords: string[] = [];
  for (const [eventId, n] of recordsPerEvent) {
    if (n <= 1) continue;
    duplicates += n - 1;
    duplicateRecords.push(eventId);
  }
  return {
    accepted: accepted.length,
    lost,
    duplicates,
    missingDecision: missingDecision.slice(0, EXAMPLES),
    missingProposalRecord: missingProposalRecord.slice(0, EXAMPLES),
    missingDecisionRecord: missingDecisionRecord.slice(0, EXAMPLES),
    duplicateRecords: duplicateRecords.slice(0, EXAMPLES),
    duplicateDecisions: duplicateDecisions.slice(0, EXAMPLES),
  };
}
