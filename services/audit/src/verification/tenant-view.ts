import { VerifyReport } from './audit-verifier';

export const FOREIGN_RECORD = 'a record of another tenant (ask the platform operator)';

/**
 * What a tenant's auditor may see of a verification: chains are per source partition and mix
 * tenants, so whether a chain holds is everyone's business, but the id and detail of a broken
 * record that belongs to another tenant are not. Position and reason stay, so the two can talk.
 */
export function tenantViewOfReport(
  report: VerifyReport,
  viewerTenant: string,
  tenantOfEvent: ReadonlyMap<string, string>,
): VerifyReport {
  const hide = <F extends { eventId?: string; recordId?: string; detail?: string } | undefined>(
    failure: F,
  ): F => {
    const id = failure?.eventId ?? failure?.recordId;
    if (!failure || !id) return failure;
    return tenantOfEvent.get(id) === viewerTenant
      ? failure
      : { ...failure, eventId: undefined, recordId: undefined, detail: FOREIGN_RECORD };
  };
  return {
    ...report,
    chains: report.chains.map((c) => ({ ...c, failure: hide(c.failure) })),
    firstFailure: hide(report.firstFailure),
  };
}

/** The event ids a report names, for looking up their tenants. */
export function failedEventIds(report: VerifyReport): string[] {
  return [
    ...new Set(
      [report.firstFailure, ...report.chains.map((c) => c.failure)]
        .map((f) => f?.eventId ?? f?.recordId)
        .filter((id): id is string => !!id),
    ),
  ];
}
