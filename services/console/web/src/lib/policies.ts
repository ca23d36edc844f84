/** Joins the active policy set with how often each policy fired. Pure, unit-tested. */

export interface ActivePolicy {
  id: string;
  version: string;
  mode: 'enforce' | 'shadow' | string;
  file: string;
  /** Which set it belongs to: the platform baseline, or the tenant's own set over it. */
  set?: 'baseline' | 'tenant';
}

/** A scope's active set as `GET /v1/policies` answers it (version null: none applied). */
export interface ActiveSetView {
  version: string | null;
  policies: Omit<ActivePolicy, 'set'>[];
}

/** `GET /v1/policies`: the baseline, the caller's tenant's set, and (platform users) which tenants have one. */
export interface ActivePoliciesView {
  baseline: ActiveSetView;
  tenant: (ActiveSetView & { tenantId: string }) | null;
  tenants?: { tenantId: string; version: string; policies: number }[];
}

/**
 * Every policy an intent of the tenant is judged by, baseline first (as the guardrail evaluates
 * them), each labelled with its set.
 */
export function layeredPolicies(view: ActivePoliciesView): ActivePolicy[] {
  return [
    ...view.baseline.policies.map((p) => ({ ...p, set: 'baseline' as const })),
    ...(view.tenant?.policies ?? []).map((p) => ({ ...p, set: 'tenant' as const })),
  ];
}

export interface PolicyFire {
  policyId: string;
  policyVersion: string;
  mode: string;
  effect: string;
  count: number;
  lastFiredAt: string | null;
}

export interface PolicyRow extends ActivePolicy {
  /** Decisions the policy was evaluated on (it matched the intent), whatever it concluded. */
  matched: number;
  /** Decisions where it took effect: anything but `allow` (deny, escalate, modify, warn). */
  fired: number;
  lastFiredAt: string | null;
  effects: string[];
}

/**
 * Each active policy with the counts of its version: how often it matched and how often it fired
 * (took an effect other than allow; 0 when it never did). Counts of policies or versions not in the
 * active set are returned apart, most recent first.
 */
export function joinFires(
  policies: ActivePolicy[],
  fires: PolicyFire[],
): { rows: PolicyRow[]; other: PolicyFire[] } {
  const key = (id: string, version: string) => `${id}\u0000${version}`;
  const active = new Set(policies.map((p) => key(p.id, p.version)));
  const byKey = new Map<string, PolicyFire[]>();
  const other: PolicyFire[] = [];
  for (const f of fires) {
    const k = key(f.policyId, f.policyVersion);
    if (!active.has(k)) {
      other.push(f);
      continue;
    }
    byKey.set(k, [...(byKey.get(k) ?? []), f]);
  }
  const rows = policies.map((p) => {
    const matched = byKey.get(key(p.id, p.version)) ?? [];
    const mine = matched.filter((f) => f.effect !== 'allow');
    const last = mine
      .map((f) => f.lastFiredAt)
      .filter((t): t is string => !!t)
      .sort()
      .pop();
    return {
      ...p,
      matched: matched.reduce((s, f) => s + f.count, 0),
      fired: mine.reduce((s, f) => s + f.count, 0),
      lastFiredAt: last ?? null,
      effects: [...new Set(mine.map((f) => f.effect))].sort(),
    };
  });
  other.sort((a, b) => (b.lastFiredAt ?? '').localeCompare(a.lastFiredAt ?? ''));
  return { rows, other };
}
