/**
 * Where a policy set applies: the platform **baseline** (every tenant's intents; only platform-wide
 * principals change it) or one **tenant**'s set, layered over the baseline for that tenant's
 * intents only. The key names the scope in PostgreSQL (`policy_sets.scope`) and on the compacted
 * `agentops.policies.v1` topic, so each scope keeps exactly one active set.
 */
export type PolicyScope = { kind: 'baseline' } | { kind: 'tenant'; tenantId: string };

export const BASELINE: PolicyScope = { kind: 'baseline' };

export function tenantScope(tenantId: string): PolicyScope {
  return { kind: 'tenant', tenantId };
}

/** `baseline` or `tenant:<tenantId>`. */
export function scopeKey(scope: PolicyScope): string {
  return scope.kind === 'baseline' ? 'baseline' : `tenant:${scope.tenantId}`;
}

export function scopeOfKey(key: string): PolicyScope {
  if (key === 'baseline') return BASELINE;
  if (key.startsWith('tenant:') && key.length > 'tenant:'.length)
    return tenantScope(key.slice('tenant:'.length));
  throw new Error(`not a policy set scope: ${key}`);
}

export function describeScope(scope: PolicyScope): string {
  return scope.kind === 'baseline' ? 'the platform baseline' : `tenant ${scope.tenantId}'s policy set`;
}
