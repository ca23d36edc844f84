import { z } from 'zod';
import { Identifier } from '../common/schema';

export const PolicySetActivatedType = 'agentops.policy.set_activated.v1' as const;

/**
 * One activation per scope: the platform baseline (no `tenantId`; also every activation from before
 * tenant sets existed) or one tenant's set, which only adds constraints to the baseline. Keyed
 * `baseline` or `tenant:<tenantId>` on the compacted topic, so compaction keeps one set per scope.
 */
export const PolicySetActivatedV1 = z.object({
  policySetVersion: z.string().min(1),
  /** The tenant whose set this is; absent: the platform baseline. */
  tenantId: Identifier.optional(),
  policies: z.array(
    z.object({
      id: z.string().min(1),
      version: z.string().min(1),
      mode: z.enum(['enforce', 'shadow']),
      source: z.string(),
      /** The file it was applied from, relative to the applied folder. */
      file: z.string().max(300).optional(),
    }),
  ),
  activatedBy: z.string().min(1),
  activatedAt: z.string().datetime({ offset: true }),
});
export type PolicySetActivatedV1 = z.infer<typeof PolicySetActivatedV1>;
