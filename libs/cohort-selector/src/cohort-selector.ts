import type { CohortSelector } from '@agentops/contracts';

/** The agent facts a selector can name; a subset of `AgentIdentity`, so either can be passed. */
export interface CohortMember {
  id: string;
  tenantId: string;
  role: string;
  version: string;
  region: string;
}

const globCache = new Map<string, RegExp>();

/**
 * The one glob of the platform: `pricing.*` matches `pricing.set_price`; `*` matches any run of
 * characters, dots included. Compiled patterns are cached: globs come from a few config files and
 * are tested on every intent.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`);
    globCache.set(pattern, re);
  }
  return re.test(value);
}

/** Whether an action name matches an action glob such as `pricing.*`. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatches(pattern, action);
}

/** Whether the agent belongs to the selector's cohort, whatever action it proposes. */
export function selectorCoversAgent(selector: CohortSelector, agent: CohortMember): boolean {
  return (
    (selector.tenantId === undefined || selector.tenantId === agent.tenantId) &&
    (selector.role === undefined || selector.role === agent.role) &&
    (selector.agentId === undefined || selector.agentId === agent.id) &&
    (selector.agentVersion === undefined || selector.agentVersion === agent.version) &&
    (selector.region === undefined || selector.region === agent.region)
  );
}

/** Every given field must match (conjunction); an empty selector covers everything. */
export function selectorCovers(selector: CohortSelector, agent: CohortMember, action: string): boolean {
  return (
    selectorCoversAgent(selector, agent) &&
    (selector.action === undefined || actionMatches(selector.action, action))
  );
}

/** True for the selector that names nothing: every agent of every tenant. */
export function isGlobalSelector(selector: CohortSelector): boolean {
  return Object.values(selector).every((v) => v === undefined);
}

const ORDER: (keyof CohortSelector)[] = ['tenantId', 'role', 'agentId', 'agentVersion', 'region', 'action'];

/** `tenant=maison role=pricing action=pricing.*`, or `global`; stable, for reasons and logs. */
export function describeSelector(selector: CohortSelector): string {
  const parts = ORDER.filter((k) => selector[k] !== undefined).map(
    (k) => `${k === 'tenantId' ? 'tenant' : k}=${selector[k]}`,
  );
  return parts.length ? parts.join(' ') : 'global';
}

export type TenantScoping = { ok: true; selector: CohortSelector } | { ok: false; reason: string };

/**
 * Tenant isolation for switches: a caller bound to one tenant may only target agents of that tenant.
 * A selector without a tenant is narrowed to the caller's; one naming another tenant is refused.
 * `allTenants` callers (the platform operator) keep the selector as given, global included.
 */
export function scopeSelectorToTenant(
  selector: CohortSelector,
  callerTenant: string,
  allTenants: boolean,
): TenantScoping {
  if (allTenants) return { ok: true, selector };
  if (selector.tenantId === undefined) return { ok: true, selector: { ...selector, tenantId: callerTenant } };
  if (selector.tenantId !== callerTenant)
    return {
      ok: false,
      reason: `selector.tenantId ${selector.tenantId} is outside your tenant ${callerTenant}`,
    };
  return { ok: true, selector };
}

function escapeRegex(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
