import { ActionGlob } from '@agentops/contracts';
import { z } from 'zod';

/**
 * A guardrail policy as written in YAML, in the shape of a Kubernetes ValidatingAdmissionPolicy:
 * what it matches, named variables, and validations whose CEL `expression` must hold for the
 * intent to pass; when it does not, the validation's `effect` applies.
 */
export const AgentMatch = z
  .object({
    roles: z.array(z.string()).optional(),
    tenants: z.array(z.string()).optional(),
    regions: z.array(z.string()).optional(),
    versions: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const CapObligation = z
  .object({
    type: z.literal('cap'),
    field: z.string().min(1),
    max: z.string().min(1).describe('CEL expression'),
  })
  .strict();
const RedactObligation = z
  .object({
    type: z.literal('redact'),
    field: z.string().min(1),
    /** `pii`: personal data; `brand-voice`: words the tenant's knowledge base marks off-brand (redact). */
    detector: z.enum(['pii', 'brand-voice']),
    /** CEL list of values that stay (e.g. the addressee's own email). */
    keep: z.string().optional(),
  })
  .strict();
export const ObligationSpec = z.discriminatedUnion('type', [CapObligation, RedactObligation]);
export type ObligationSpec = z.infer<typeof ObligationSpec>;

export const ValidationSpec = z
  .object({
    expression: z.string().min(1),
    message: z.string().optional(),
    messageExpression: z.string().optional(),
    effect: z.enum(['deny', 'escalate', 'modify', 'warn']),
    obligations: z.array(ObligationSpec).optional(),
  })
  .strict()
  .refine((v) => v.effect !== 'modify' || (v.obligations?.length ?? 0) > 0, {
    message: 'effect modify needs obligations',
    path: ['obligations'],
  });
export type ValidationSpec = z.infer<typeof ValidationSpec>;

export const PolicyDocument = z
  .object({
    apiVersion: z.literal('agentops.io/v1'),
    kind: z.literal('GuardrailPolicy'),
    metadata: z
      .object({
        name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lowercase letters, digits, . and -'),
        version: z.string().min(1).optional(),
        description: z.string().optional(),
        owner: z.string().optional(),
      })
      .strict(),
    spec: z
      .object({
        mode: z.enum(['enforce', 'shadow']).default('enforce'),
        match: z.object({ actions: z.array(ActionGlob).min(1), agents: AgentMatch.optional() }).strict(),
        variables: z
          .array(
            z
              .object({ name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), expression: z.string().min(1) })
              .strict(),
          )
          .optional(),
        validations: z.array(ValidationSpec).min(1),
      })
      .strict(),
  })
  .strict();
export type PolicyDocument = z.infer<typeof PolicyDocument>;
