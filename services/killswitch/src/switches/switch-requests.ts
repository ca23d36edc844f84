import { CohortSelectorInput } from '@agentops/contracts';
import { PageQuery } from '@agentops/service-runtime';
import { z } from 'zod';

const MAX_TTL_SECONDS = 30 * 24 * 3600;

/** `POST /v1/killswitches`: a bad selector is a 400 naming the field, e.g. `selector.role`. */
export const FlipRequest = z
  .object({
    selector: CohortSelectorInput,
    reason: z.string().min(1).max(2000),
    ticket: z.string().min(1).max(200).optional(),
    /** Auto-release at this time, or after `ttlSeconds`; not both. */
    expiresAt: z.string().datetime({ offset: true }).optional(),
    ttlSeconds: z.number().int().min(1).max(MAX_TTL_SECONDS).optional(),
  })
  .strict()
  .refine((r) => !(r.expiresAt && r.ttlSeconds), {
    message: 'give expiresAt or ttlSeconds, not both',
    path: ['ttlSeconds'],
  })
  .refine((r) => !r.expiresAt || Date.parse(r.expiresAt) > Date.now(), {
    message: 'must be in the future',
    path: ['expiresAt'],
  });
export type FlipRequest = z.infer<typeof FlipRequest>;

export const ReleaseRequest = z
  .object({ reason: z.string().min(1).max(2000).default('released') })
  .strict()
  .default({ reason: 'released' });
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

export const ListQuery = PageQuery.extend({ state: z.enum(['active', 'all']).default('active') });

export const PreviewRequest = z.object({ selector: CohortSelectorInput }).strict();
export type PreviewRequest = z.infer<typeof PreviewRequest>;
