import type { CohortSelector } from '@agentops/contracts';

/** The agent facts a selector can name; a subset of `AgentIdentity`, so either can be passed. */
export interface CohortMember {
  id: string;
  tenantId: string;
  role: string;
  version: string;
  region: string;
}

const MAX_CACHED_GLOBS = 10_000;
const globCache = new Map<string, string[]>();

/**
 * The one glob of the platform: `pricing.*` matches `pricing.set_price`; `*` matches any run of
 * characters, dots included. Linear in the value whatever the pattern: the literal pieces between
 * stars are placed left to right at their first occurrence (the first piece at the start, the last
 * at the end), which is enough for `*`-only globs and never backtracks — a regex compiled from
 * `*a*a*a*a*a*b` took seconds on an 81-character action. Caps on patterns: `globProblem`
 * (`@agentops/contracts`), checked where patterns enter.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const pieces = piecesOf(pattern);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const end = value.length - last.length;
  if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i];
    if (piece === '') continue;
    const found = value.indexOf(piece, at);
    // The first occurrence is the best placement: any later one leaves less room for the rest.
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

function piecesOf(pattern: string): string[] {
  let pieces = globCache.get(pattern);
  if (!pieces) {
    pieces = pattern.split('*');
    // Patterns come from config, policies and agent scopes: few, but never let them grow memory.
    if (globCache.size >= MAX_CACHED_GLOBS) globCache.clear();
    globCache.set(pattern, pieces);
  }
  return pieces;
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

/**
 * Whether two selectors can cover the same agent and action: false only when a field both name
 * cannot match on both sides (two different literals, or an action literal the other's glob does
 * not match, or two globs whose fixed prefixes part ways). Conservative: two globs that might meet
 * are taken to overlap. Used to keep two active rollouts off one cohort.
 */
export function selectorsOverlap(a: CohortSelector, b: CohortSelector): boolean {
  for (const field of ['tenantId', 'role', 'agentId', 'agentVersion', 'region'] as const)
    if (a[field] !== undefined && b[field] !== undefined && a[field] !== b[field]) return false;
  if (a.action === undefined || b.action === undefined) return true;
  const aGlob = a.action.includes('*');
  const bGlob = b.action.includes('*');
  if (!aGlob && !bGlob) return a.action === b.action;
  if (!aGlob) return actionMatches(b.action, a.action);
  if (!bGlob) return actionMatches(a.action, b.action);
  const pa = a.action.slice(0, a.action.indexOf('*'));
  const pb = b.action.slice(0, b.action.indexOf('*'));
  return pa.startsWith(pb) || pb.startsWith(pa);
}
