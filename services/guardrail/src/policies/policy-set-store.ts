import { CompiledPolicySet } from '@agentops/policy';
import { KEYSET_TIME, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { PolicyScope, scopeKey, scopeOfKey } from './policy-scope';

/** Applied sets newest first: (applied_at to the millisecond, scope, version) descending. */
export const POLICY_SETS_KEYSET = new Keyset(
  z.tuple([KEYSET_TIME, z.string().max(200), z.string().max(200)]),
);

export interface StoredPolicy {
  id: string;
  version: string;
  mode: 'enforce' | 'shadow';
  file: string;
  source: string;
}

export interface StoredPolicySet {
  scope: PolicyScope;
  version: string;
  policies: StoredPolicy[];
  appliedBy: string;
  appliedAt: Date;
  active: boolean;
}

export interface ActiveVersion {
  scope: PolicyScope;
  version: string;
  appliedAt: Date;
}

/**
 * Every applied policy set, versioned per scope (the baseline, each tenant) in PostgreSQL; the
 * active one of each scope is what instances boot and reconcile with. The only place that speaks
 * SQL about policy sets.
 */
@Injectable()
export class PolicySetStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Makes `set` the scope's active set and returns when it was applied. Applications of one scope
   * are serialised (an advisory lock), so two concurrent ones cannot both be active and their
   * times follow the order in which they took effect, which is how instances order activations.
   */
  async saveActive(scope: PolicyScope, set: CompiledPolicySet, appliedBy: string): Promise<Date> {
    const policies: StoredPolicy[] = set.policies.map((p) => ({
      id: p.id,
      version: p.version,
      mode: p.mode,
      file: p.file,
      source: p.source,
    }));
    const key = scopeKey(scope);
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('guardrail.policy_sets'), hashtext($1))`, [key]);
      await tx.query(`UPDATE policy_sets SET active = false WHERE scope = $1 AND active`, [key]);
      const [row] = (await tx.query(
        `INSERT INTO policy_sets (scope, version, policies, applied_by, applied_at, active)
         VALUES ($1, $2, $3, $4, clock_timestamp(), true)
         ON CONFLICT (scope, version) DO UPDATE SET active = true, applied_by = EXCLUDED.applied_by, applied_at = EXCLUDED.applied_at
         RETURNING applied_at`,
        [key, set.version, JSON.stringify(policies), appliedBy],
      )) as { applied_at: Date }[];
      return row.applied_at;
    });
  }

  async active(scope: PolicyScope): Promise<StoredPolicySet | null> {
    const [row] = await this.dataSource.query(
      `SELECT scope, version, policies, applied_by, applied_at, active FROM policy_sets WHERE scope = $1 AND active`,
      [scopeKey(scope)],
    );
    return row ? toSet(row) : null;
  }

  /** The active version of every scope, without the sources (reconciliation reads only what changed). */
  async activeVersions(): Promise<ActiveVersion[]> {
    const rows = (await this.dataSource.query(
      `SELECT scope, version, applied_at FROM policy_sets WHERE active`,
    )) as { scope: string; version: string; applied_at: Date }[];
    return rows.map((r) => ({ scope: scopeOfKey(r.scope), version: r.version, appliedAt: r.applied_at }));
  }

  /** A page of applied sets, newest first: of the given scopes, or of every scope (`undefined`). */
  async history(scopes: PolicyScope[] | undefined, page: PageRequest): Promise<Page<StoredPolicySet>> {
    const after = POLICY_SETS_KEYSET.after(page);
    const rows = await this.dataSource.query(
      `SELECT scope, version, policies, applied_by, applied_at, active FROM policy_sets
       WHERE ($1::text[] IS NULL OR scope = ANY($1::text[]))
         AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', applied_at), scope, version) < ($2::timestamptz, $3::text, $4::text))
       ORDER BY date_trunc('milliseconds', applied_at) DESC, scope DESC, version DESC LIMIT $5`,
      [
        scopes ? scopes.map(scopeKey) : null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        after?.[2] ?? null,
        page.limit + 1,
      ],
    );
    return POLICY_SETS_KEYSET.page(rows.map(toSet), page.limit, (s) => [
      s.appliedAt.toISOString(),
      scopeKey(s.scope),
      s.version,
    ]);
  }
}

function toSet(row: {
  scope: string;
  version: string;
  policies: StoredPolicy[];
  applied_by: string;
  applied_at: Date;
  active: boolean;
}): StoredPolicySet {
  return {
    scope: scopeOfKey(row.scope),
    version: row.version,
    policies: row.policies,
    appliedBy: row.applied_by,
    appliedAt: row.applied_at,
    active: row.active,
  };
}
