/**
 * Kill-switch cohort selectors: built from the flip form's fields, described in words for tables
 * and confirmations. The types are the contract's (libs/contracts): a type-only import, erased by
 * esbuild, so the browser bundle carries no zod.
 */
import type { AgentRole, CohortSelector } from '@agentops/contracts';

export type { AgentRole, CohortSelector };

/** The roles the flip form offers: every contract role, checked against it at compile time. */
export const AGENT_ROLES = [
  'pricing',
  'replenishment',
  'service',
  'shopping',
  'other',
] as const satisfies readonly AgentRole[];

/** The flip form as typed: every field a string, empty meaning "any". */
export interface SelectorFields {
  tenantId: string;
  role: string;
  agentId: string;
  agentVersion: string;
  region: string;
  action: string;
}

export const EMPTY_SELECTOR_FIELDS: SelectorFields = {
  tenantId: '',
  role: '',
  agentId: '',
  agentVersion: '',
  region: '',
  action: '',
};

export type SelectorResult =
  | { ok: true; selector: CohortSelector; global: boolean }
  | { ok: false; errors: { field: keyof SelectorFields; message: string }[] };

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const ACTION_GLOB = /^[a-z0-9_.*]+$/;

/**
 * Trims every field, drops empty ones and `*` for the tenant (the operator's "every tenant"),
 * and checks what the server would reject, naming the field. `global` is true when nothing
 * narrows the cohort: the switch would halt every agent the caller can reach.
 */
export function buildSelector(fields: SelectorFields): SelectorResult {
  const errors: { field: keyof SelectorFields; message: string }[] = [];
  const selector: CohortSelector = {};
  const tenantId = fields.tenantId.trim();
  if (tenantId && tenantId !== '*') {
    if (!IDENTIFIER.test(tenantId)) errors.push({ field: 'tenantId', message: 'not a valid tenant id' });
    selector.tenantId = tenantId;
  }
  const role = fields.role.trim();
  if (role) {
    if ((AGENT_ROLES as readonly string[]).includes(role)) selector.role = role as AgentRole;
    else errors.push({ field: 'role', message: `unknown role ${role}` });
  }
  const agentId = fields.agentId.trim();
  if (agentId) {
    if (!IDENTIFIER.test(agentId)) errors.push({ field: 'agentId', message: 'not a valid agent id' });
    selector.agentId = agentId;
  }
  const agentVersion = fields.agentVersion.trim();
  if (agentVersion) {
    if (agentVersion.length > 50) errors.push({ field: 'agentVersion', message: 'at most 50 characters' });
    selector.agentVersion = agentVersion;
  }
  const region = fields.region.trim();
  if (region) {
    if (region.length > 50) errors.push({ field: 'region', message: 'at most 50 characters' });
    selector.region = region;
  }
  const action = fields.action.trim();
  if (action) {
    if (!ACTION_GLOB.test(action) || action.length > 100)
      errors.push({ field: 'action', message: 'an action name or glob such as pricing.*' });
    selector.action = action;
  }
  if (errors.length) return { ok: false, errors };
  const narrowing = Object.keys(selector).filter((k) => k !== 'tenantId');
  return { ok: true, selector, global: narrowing.length === 0 };
}

/** The flip form's tenant: the user's own, or empty (every tenant) for the operator tenant `*`. */
export function defaultTenant(userTenantId: string): string {
  return userTenantId === '*' ? '' : userTenantId;
}

/**
 * A selector in words: `pricing agents, agent px-1, version 2.1, region eu-west, actions pricing.*,
 * tenant acme`; `every agent, every tenant` for an empty one.
 */
export function describeSelector(s: CohortSelector): string {
  const parts: string[] = [];
  if (s.agentId) parts.push(`agent ${s.agentId}`);
  else parts.push(s.role ? `${s.role} agents` : 'every agent');
  if (s.agentId && s.role) parts.push(`role ${s.role}`);
  if (s.agentVersion) parts.push(`version ${s.agentVersion}`);
  if (s.region) parts.push(`region ${s.region}`);
  if (s.action) parts.push(s.action.includes('*') ? `actions ${s.action}` : `action ${s.action}`);
  parts.push(s.tenantId ? `tenant ${s.tenantId}` : 'every tenant');
  return parts.join(', ');
}

export const EXPIRY_OPTIONS = [
  { value: '', label: 'No expiry', ttlSeconds: undefined },
  { value: '15m', label: '15 minutes', ttlSeconds: 15 * 60 },
  { value: '1h', label: '1 hour', ttlSeconds: 3600 },
  { value: '4h', label: '4 hours', ttlSeconds: 4 * 3600 },
  { value: '24h', label: '24 hours', ttlSeconds: 24 * 3600 },
] as const;

/** The flip request's `ttlSeconds` for an expiry choice (undefined: the switch never expires). */
export function ttlFor(choice: string): number | undefined {
  return EXPIRY_OPTIONS.find((o) => o.value === choice)?.ttlSeconds;
}
