/**
 * Who is behind an API call: a human user, a break-glass operator, or another service (its own
 * credentials, only on routes that allow it). Agents authenticate separately, with API keys.
 */
export const HumanRoles = ['sre', 'reviewer', 'lead', 'auditor', 'policy-admin', 'admin'] as const;
export type HumanRole = (typeof HumanRoles)[number];

/** `*` is the platform operator's tenant: it may act on every tenant. */
export const ALL_TENANTS = '*';

export interface Principal {
  kind: 'human' | 'operator' | 'service';
  id: string;
  tenantId: string;
  roles: HumanRole[];
  /** Reviewer groups (escalation routes name the group that may decide); empty when none. */
  groups: string[];
}

export function hasAnyRole(principal: Principal, roles: readonly HumanRole[]): boolean {
  return principal.roles.includes('admin') || roles.some((r) => principal.roles.includes(r));
}

/** Whether the principal may act on the tenant's data (tenant isolation). */
export function canAccessTenant(principal: Principal, tenantId: string): boolean {
  return principal.tenantId === ALL_TENANTS || principal.tenantId === tenantId;
}
