import { DataAccessObserved, DataAccessReport } from './schema';

const subject = `customer_${'a'.repeat(32)}`;
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('DataAccessReport', () => {
  it('accepts a read with pseudonymised subjects and fills the defaults', () => {
    const r = DataAccessReport.parse({
      kind: 'read',
      source: 'crm.customers',
      records: 3,
      subjectIds: [subject],
    });
    expect(r.dataClasses).toEqual([]);
    expect(r.subjectIds).toEqual([subject]);
  });

  it('refuses a raw identifier where a pseudonym belongs, naming the field', () => {
    const r = DataAccessReport.safeParse({
      kind: 'read',
      source: 's',
      records: 1,
      subjectIds: ['jane@example.com'],
    });
    expect(paths(r)).toEqual(['subjectIds.0']);
  });

  it('requires a destination for an egress', () => {
    expect(paths(DataAccessReport.safeParse({ kind: 'egress', source: 's', records: 1 }))).toEqual([
      'destination',
    ]);
    expect(
      DataAccessReport.safeParse({ kind: 'egress', source: 's', records: 1, destination: 'mail.example' })
        .success,
    ).toBe(true);
  });

  it('refuses oversized reports and unknown fields, naming them', () => {
    const big = {
      kind: 'read',
      source: 's',
      records: 2_000_000,
      subjectIds: Array(1001).fill(subject),
      extra: 1,
    };
    expect(paths(DataAccessReport.safeParse(big)).sort()).toEqual(['', 'records', 'subjectIds']);
  });

  it('carries the agent and the time as observed', () => {
    const o = DataAccessObserved.safeParse({
      report: { kind: 'read', source: 's', records: 1 },
      agent: { id: 'svc-1', tenantId: 'maison', role: 'service', version: '1.0.0' },
      observedAt: '2026-12-02T10:00:00Z',
    });
    expect(o.success).toBe(true);
  });
});
