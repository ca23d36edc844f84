import {
  AuditRecordRef,
  DECIDED,
  GUARDRAIL_SOURCE,
  PROPOSED,
  StoredDecision,
  checkStores,
} from './store-check';

const proposal = (intentId: string, eventId = `p-${intentId}`): AuditRecordRef => ({
  eventId,
  type: PROPOSED,
  source: 'agentops/ingest',
  correlationId: intentId,
});
const decisionRecord = (
  intentId: string,
  eventId = `d-${intentId}`,
  source = GUARDRAIL_SOURCE,
): AuditRecordRef => ({
  eventId,
  type: DECIDED,
  source,
  correlationId: intentId,
});
const stored = (intentId: string, eventId = `d-${intentId}`): StoredDecision => ({ intentId, eventId });

/** The stores of a run where every accepted intent went through once. */
function complete(ids: string[]): { decisions: StoredDecision[]; records: AuditRecordRef[] } {
  return {
    decisions: ids.map((id) => stored(id)),
    records: ids.flatMap((id) => [proposal(id), decisionRecord(id)]),
  };
}

describe('chaos store check: one decision and one audit record per event for every accepted intent', () => {
  it('finds nothing lost or duplicated when each intent has its decision and both records', () => {
    const { decisions, records } = complete(['a', 'b', 'c']);
    expect(checkStores(['a', 'b', 'c'], decisions, records)).toMatchObject({
      accepted: 3,
      lost: 0,
      duplicates: 0,
    });
  });

  it('counts an accepted intent without a stored decision as lost', () => {
    const { decisions, records } = complete(['a', 'b']);
    const check = checkStores(['a', 'b'], decisions.slice(1), records);
    expect(check).toMatchObject({ lost: 1, missingDecision: ['a'] });
  });

  it('counts an intent whose proposal or decision audit record is missing as lost, once', () => {
    const { decisions, records } = complete(['a', 'b', 'c']);
    const kept = records.filter(
      (r) => r.eventId !== 'p-a' && r.eventId !== 'd-b' && r.eventId !== 'p-c' && r.eventId !== 'd-c',
    );
    const check = checkStores(['a', 'b', 'c'], decisions, kept);
    expect(check.lost).toBe(3);
    expect(check.missingProposalRecord).toEqual(['a', 'c']);
    expect(check.missingDecisionRecord).toEqual(['b', 'c']);
  });

  it('counts every extra audit record of one event as a duplicate', () => {
    const { decisions, records } = complete(['a']);
    const check = checkStores(['a'], decisions, [...records, proposal('a'), proposal('a')]);
    expect(check).toMatchObject({ lost: 0, duplicates: 2, duplicateRecords: ['p-a'] });
  });

  it('counts a second decision event of guardrail for one intent as a duplicate decision', () => {
    const { decisions, records } = complete(['a']);
    const check = checkStores(['a'], decisions, [...records, decisionRecord('a', 'd2-a')]);
    expect(check).toMatchObject({ duplicates: 1, duplicateDecisions: ['a'] });
  });

  it("leaves ingest's own fail-closed decision alone: it is what the agent was told, not a second verdict", () => {
    const { decisions, records } = complete(['a']);
    const check = checkStores(['a'], decisions, [
      ...records,
      decisionRecord('a', 'timeout-a', 'agentops/ingest'),
    ]);
    expect(check.duplicates).toBe(0);
  });

  it('counts an intent the load saw twice (an SDK retry with the same key) once', () => {
    const { decisions, records } = complete(['a']);
    expect(checkStores(['a', 'a'], decisions, records)).toMatchObject({
      accepted: 1,
      lost: 0,
      duplicates: 0,
    });
  });
});
