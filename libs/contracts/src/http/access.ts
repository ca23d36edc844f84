import { z } from 'zod';
import { AccessAnomalyDetectedV1, AccessSeverityName } from '../events/access-anomaly-detected/schema';
import { AgentRole, Identifier } from '../events/common/schema';
import { pageOf } from './page';

/** The access service over HTTP (`/v1/access`): the answers its OpenAPI description names. */
export const AccessAnomalyQuery = z
  .object({
    /** A platform-wide caller narrows to one tenant; a tenant-bound one may only name its own. */
    tenantId: Identifier.optional(),
    agentId: Identifier.optional(),
    severity: AccessSeverityName.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** The `next` of an earlier page. */
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();
export type AccessAnomalyQuery = z.infer<typeof AccessAnomalyQuery>;

/** A page of anomalies, newest first. */
export const AccessAnomalyList = pageOf('anomalies', AccessAnomalyDetectedV1).meta({
  id: 'AccessAnomalyList',
});

const PerIntent = z.object({ mean: z.number(), sd: z.number() });

/** An agent's baseline (its own, or its peers' while it is new) beside its open bucket ("now"). */
export const AccessBaseline = z
  .object({
    agentId: Identifier,
    tenantId: Identifier,
    role: AgentRole,
    version: z.string(),
    /** Whose baseline judges it; null while neither it nor its peers have one. */
    from: z.enum(['agent', 'cohort', 'role']).nullable(),
    /** Records, distinct customers and read calls per business intent. */
    perIntent: z.object({ records: PerIntent, subjects: PerIntent, reads: PerIntent }).nullable(),
    /** The open bucket: what it read so far, and over how many intents. */
    now: z.object({
      records: z.number(),
      subjects: z.number(),
      reads: z.number(),
      intents: z.number().int(),
    }),
    /** The kill switch that quarantines it, when an anomaly of the last 15 minutes flipped one. */
    quarantineSwitchId: z.string().uuid().nullable(),
  })
  .meta({ id: 'AccessBaseline' });
export type AccessBaseline = z.infer<typeof AccessBaseline>;

export const AccessBaselineQuery = z
  .object({ tenantId: Identifier.optional(), agentId: Identifier.optional() })
  .strict();
export type AccessBaselineQuery = z.infer<typeof AccessBaselineQuery>;

export const AccessBaselineList = z
  .object({ baselines: z.array(AccessBaseline) })
  .meta({ id: 'AccessBaselineList' });
