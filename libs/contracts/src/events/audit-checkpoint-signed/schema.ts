import { z } from 'zod';

export const AuditCheckpointSignedType = 'agentops.audit.checkpoint_signed.v1' as const;

export const AuditCheckpointSignedV1 = z.object({
  chainId: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  headHash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string().datetime({ offset: true }),
  keyId: z.string().min(1),
  algorithm: z.literal('Ed25519'),
  signature: z.string().min(1),
});
export type AuditCheckpointSignedV1 = z.infer<typeof AuditCheckpointSignedV1>;
