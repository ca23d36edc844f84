import type { AgentIdentity, AgentRole, AgentScopes, IntentProposal } from '@agentops/contracts';
import { globMatches } from '@agentops/cohort-selector';

/** What an agent of each role may do when it was registered without explicit scopes. */
export const DEFAULT_SCOPES_BY_ROLE: Record<AgentRole, AgentScopes> = {
  pricing: { actions: ['pricing.*'], dataClasses: ['product', 'market'] },
  replenishment: { actions: ['inventory.*'], dataClasses: ['product', 'inventory', 'forecast'] },
  service: { actions: ['service.*'], dataClasses: ['product', 'customer', 'order'] },
  shopping: { actions: ['shopping.*'], dataClasses: ['product', 'customer', 'purchase_history'] },
  other: { actions: [] },
};

export function effectiveScopes(agent: Pick<AgentIdentity, 'role' | 'scopes'>): AgentScopes {
  return agent.scopes ?? DEFAULT_SCOPES_BY_ROLE[agent.role];
}

/** Whether data class `cls` is `parent` or one of its sub-classes (`customer.pii` is within `customer`). */
export function dataClassWithin(cls: string, parent: string): boolean {
  return cls === parent || cls.startsWith(`${parent}.`);
}

/**
 * Whether the scopes grant reading data class `cls`: a granted class covers its sub-classes
 * (`customer` grants `customer.pii`), and scopes that list no classes grant every class. The one
 * rule for guardrail's scope check of an intent's `dataUsed`, ingest's out-of-scope flag on an
 * access report and the access monitor's scope ceiling.
 */
export function dataClassGranted(scopes: Pick<AgentScopes, 'dataClasses'>, cls: string): boolean {
  if (!scopes.dataClasses) return true;
  return scopes.dataClasses.some((granted) => dataClassWithin(cls, granted));
}

/** The first scope the intent lacks, as `kind:value`, or null when the intent is within scope. */
export function missingScope(
  agent: Pick<AgentIdentity, 'role' | 'scopes'>,
  intent: Pick<IntentProposal, 'action' | 'params' | 'dataUsed'>,
): string | null {
  const scopes = effectiveScopes(agent);
  if (!scopes.actions.some((g) => globMatches(g, intent.action))) return `action:${intent.action}`;
  for (const ref of intent.dataUsed ?? [])
    for (const cls of ref.dataClasses ?? []) if (!dataClassGranted(scopes, cls)) return `data:${cls}`;
  for (const limit of scopes.limits ?? []) {
    if (!globMatches(limit.action, intent.action)) continue;
    const value = Number(intent.params[limit.field]);
    if (Number.isFinite(value) && value > limit.max)
      return `limit:${limit.action}.${limit.field}<=${limit.max}`;
  }
  return null;
}
