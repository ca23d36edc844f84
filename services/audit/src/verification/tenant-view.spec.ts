import { VerifyReport } from './audit-verifier';
import { FOREIGN_RECORD, failedEventIds, tenantViewOfReport } from './tenant-view';

const broken = (eventId: string) => ({
  chainId: 'agentops.intents.v1:0',
  sequence: 7,
  reason: 'hash_mismatch',
  detail: 'stored hash abc != recomputed def',
  eventId,
  recordId: eventId,
});

const report = (failures: ReturnType<typeof broken>[]): VerifyReport =>
  ({
    ok: failures.length === 0,
    chains: failures.map((f, i) => ({
      chainId: `c${i}`,
      ok: false,
      checked: 8,
      from: 0,
      lastSequence: 7,
      checkpointsChecked: 0,
      failure: f,
    })),
    records: 16,
    ms: 3,
    keyIds: [],
    firstFailure: failures[0],
  }) as unknown as VerifyReport;

describe("a tenant auditor's view of a verification", () => {
  const owners = new Map([
    ['e-mine', 'maison'],
    ['e-theirs', 'other'],
  ]);

  it('keeps the broken record of the viewer’s own tenant whole', () => {
    const view = tenantViewOfReport(report([broken('e-mine')]), 'maison', owners);
    expect(view.firstFailure).toEqual(broken('e-mine'));
    expect(view.ok).toBe(false);
  });

  it('hides the id and detail of another tenant’s broken record, keeps where and why', () => {
    const view = tenantViewOfReport(report([broken('e-theirs'), broken('e-mine')]), 'maison', owners);
    expect(view.firstFailure).toEqual({
      ...broken('e-theirs'),
      eventId: undefined,
      recordId: undefined,
      detail: FOREIGN_RECORD,
    });
    expect(view.chains[1]!.failure).toEqual(broken('e-mine'));
    expect(JSON.stringify(view)).not.toContain('e-theirs');
  });

  it('treats a record whose tenant is unknown as foreign', () => {
    expect(
      tenantViewOfReport(report([broken('e-gone')]), 'maison', owners).firstFailure?.eventId,
    ).toBeUndefined();
  });

  it('names each failed event once', () => {
    expect(failedEventIds(report([broken('e-theirs'), broken('e-mine')]))).toEqual(['e-theirs', 'e-mine']);
    expect(failedEventIds(report([]))).toEqual([]);
  });
});
