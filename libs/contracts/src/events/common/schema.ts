import { z } from 'zod';
import { ACTION_GLOB_CHARS, ACTION_GLOB_HINT, ActionGlob } from './glob';

export const Identifier = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only');

/** Action names are dotted, e.g. `pricing.set_price`; globs are for policies and switches, not here. */
export const ActionName = z
  .string()
  .min(3)
  .max(100)
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/,
    'must look like domain.verb_object, e.g. pricing.set_price',
  );

export const AgentRole = z.enum(['pricing', 'replenishment', 'service', 'shopping', 'other']);
export type AgentRole = z.infer<typeof AgentRole>;

/**
 * What an agent may do: actions (globs), data classes it may read, and value limits per action
 * (e.g. `service.issue_refund` amount ≤ 500). Anything outside is denied before any policy runs.
 */
function agentScopesWith(actionGlob: z.ZodString) {
  return z
    .object({
      actions: z.array(actionGlob).max(100),
      dataClasses: z.array(z.string().max(50)).max(100).optional(),
      limits: z
        .array(
          z
            .object({
              action: actionGlob,
              field: z.string().min(1).max(100),
              max: z.number(),
            })
            .strict(),
        )
        .max(100)
        .optional(),
    })
    .strict();
}
/** As stored and carried in events (the glob caps apply where scopes enter: `AgentScopesInput`). */
export const AgentScopes = agentScopesWith(z.string().regex(ACTION_GLOB_CHARS, ACTION_GLOB_HINT));
/** Scopes as an admin sets them: every glob within the caps (`GLOB_MAX_LENGTH`, `GLOB_MAX_WILDCARDS`). */
export const AgentScopesInput = agentScopesWith(ActionGlob);
export type AgentScopes = z.infer<typeof AgentScopes>;

/** Who the agent is, as ingest authenticated it — never as the agent claims. */
export const AgentIdentity = z.object({
  id: Identifier,
  tenantId: Identifier,
  role: AgentRole,
  version: z.string().min(1).max(50),
  region: z.string().min(1).max(50),
  labels: z.record(z.string(), z.string().max(200)).default({}),
  /** Absent: the role's default scopes apply (see libs/policy agent-scopes). */
  scopes: AgentScopes.optional(),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

export const Verdict = z.enum(['allow', 'deny', 'escalate', 'modify']);
export type Verdict = z.infer<typeof Verdict>;

export const DecidedBy = z.enum(['policy', 'human', 'killswitch', 'breaker', 'timeout', 'permissions']);
export type DecidedBy = z.infer<typeof DecidedBy>;

export const Effect = z.enum(['deny', 'escalate', 'modify', 'warn', 'allow']);

export const DecisionReason = z.object({
  policyId: z.string().min(1).max(200),
  policyVersion: z.string().min(1).max(50),
  message: z.string().max(2000),
  effect: Effect,
  mode: z.enum(['enforce', 'shadow']).default('enforce'),
});
export type DecisionReason = z.infer<typeof DecisionReason>;

export const Obligation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cap'), field: z.string(), max: z.number() }),
  z.object({
    type: z.literal('redact'),
    field: z.string(),
    spans: z.array(z.tuple([z.number().int(), z.number().int()])),
  }),
  z.object({ type: z.literal('set'), field: z.string(), value: z.unknown() }),
]);
export type Obligation = z.infer<typeof Obligation>;

/** A cohort selector: every given field must match (conjunction); an empty selector is global. */
function cohortSelectorWith(actionGlob: z.ZodString) {
  return z
    .object({
      tenantId: Identifier.optional(),
      role: AgentRole.optional(),
      agentId: Identifier.optional(),
      agentVersion: z.string().max(50).optional(),
      region: z.string().max(50).optional(),
      action: actionGlob.optional(),
    })
    .strict();
}
/** As stored and carried in `killswitch.changed` (a halt must never be refused for a cap added later). */
export const CohortSelector = cohortSelectorWith(
  z.string().max(100).regex(ACTION_GLOB_CHARS, ACTION_GLOB_HINT),
);
/** A selector as an operator or a breaker definition writes it: the action glob within the caps. */
export const CohortSelectorInput = cohortSelectorWith(ActionGlob);
export type CohortSelector = z.infer<typeof CohortSelector>;
