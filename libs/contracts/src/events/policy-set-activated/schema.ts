import { z } from 'zod';

export const PolicySetActivatedType = 'agentops.policy.set_activated.v1' as const;

export const PolicySetActivatedV1 = z.object({
  policySetVersion: z.string().min(1),
  policies: z.array(
    z.object({
      id: z.string().min(1),
      version: z.string().min(1),
      mode: z.enum(['enforce', 'shadow']),
      source: z.string(),
    }),
  ),
  activatedBy: z.string().min(1),
  activatedAt: z.string().datetime({ offset: true }),
});
export type PolicySetActivatedV1 = z.infer<typeof PolicySetActivatedV1>;
