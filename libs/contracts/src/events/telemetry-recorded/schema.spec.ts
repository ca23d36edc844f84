import { TelemetryReport } from './schema';

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('TelemetryReport with a data-access report', () => {
  const read = { kind: 'read', source: 'crm.customers', records: 2 };

  it('carries the access report on telemetry of kind data_access', () => {
    const r = TelemetryReport.safeParse({ kind: 'data_access', name: 'crm.customers', access: read });
    expect(r.success).toBe(true);
  });

  it('refuses an access report on another kind, and a malformed one, naming the field', () => {
    expect(paths(TelemetryReport.safeParse({ kind: 'model_call', name: 'm', access: read }))).toEqual([
      'access',
    ]);
    const raw = { ...read, subjectIds: ['jane@example.com'] };
    expect(paths(TelemetryReport.safeParse({ kind: 'data_access', name: 'crm', access: raw }))).toEqual([
      'access.subjectIds.0',
    ]);
  });
});
