import { z } from 'zod';
import { AgentIdentity } from '../common/schema';

/**
 * A pseudonymised data subject, as `libs/privacy` `pseudonymise` writes it: `<kind>_<32 hex>`.
 * Raw identifiers (an e-mail, a customer number) do not match, so they cannot enter the stream.
 */
export const PseudonymousSubjectId = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,29}_[0-9a-f]{32}$/, 'must be a pseudonym <kind>_<32 hex>');

/** Caps of one report: a sweep is many reports, never one unbounded one. */
export const DATA_ACCESS_MAX_SUBJECTS = 1000;
export const DATA_ACCESS_MAX_RECORDS = 1_000_000;

/**
 * What an agent's SDK reports about one read or one egress (issue #17, `recordDataAccess`): where
 * from, which data classes, how many records, whose (pseudonymised), and for an egress where to.
 * Not an event type of its own: it travels as the `access` of telemetry of kind `data_access`
 * (`agentops.telemetry.recorded.v1`); this schema is the shape the access monitor
 * (`libs/access-anomaly`) consumes.
 */
export const DataAccessReport = z
  .object({
    kind: z.enum(['read', 'egress']),
    source: z.string().min(1).max(200),
    dataClasses: z.array(z.string().min(1).max(50)).max(20).default([]),
    records: z.number().int().nonnegative().max(DATA_ACCESS_MAX_RECORDS),
    subjectIds: z.array(PseudonymousSubjectId).max(DATA_ACCESS_MAX_SUBJECTS).default([]),
    /** Where the data goes (a host, a channel such as `email:external`); required for an egress. */
    destination: z.string().min(1).max(200).optional(),
    /** The intent the access serves, when the agent knows it already. */
    intentId: z.string().uuid().optional(),
  })
  .strict()
  .superRefine((report, ctx) => {
    if (report.kind === 'egress' && report.destination === undefined)
      ctx.addIssue({ code: 'custom', path: ['destination'], message: 'required for an egress' });
  });
export type DataAccessReport = z.infer<typeof DataAccessReport>;

/** A report as the monitor sees it: the agent as ingest authenticated it, and when. */
export const DataAccessObserved = z.object({
  report: DataAccessReport,
  agent: AgentIdentity.pick({ id: true, tenantId: true, role: true, version: true }),
  observedAt: z.string().datetime({ offset: true }),
});
export type DataAccessObserved = z.infer<typeof DataAccessObserved>;
