import { Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';

export interface PolicyFire {
  policyId: string;
  policyVersion: string;
  mode: string;
  effect: string;
  count: number;
  lastFiredAt: string;
}

/** One policy a decision names among its reasons. */
export interface FiredPolicy {
  policyId: string;
  policyVersion: string;
  mode: string;
  effect: string;
}

/** The policies one decision event fired, as the counter hands them to the repository. */
export interface DecisionFires {
  eventId: string;
  tenantId: string;
  fired: FiredPolicy[];
  firedAt: string;
}

/** The first of each event id: a batch may hold a redelivery of a decision it also holds. */
export function firstOfEachEvent(decisions: DecisionFires[]): DecisionFires[] {
  const seen = new Set<string>();
  return decisions.filter((d) => !seen.has(d.eventId) && seen.add(d.eventId));
}

/** Fire counts by policy id, version, mode and effect. */
export const POLICY_FIRES_KEYSET = new Keyset(
  z.tuple([z.string().max(500), z.string().max(200), z.string().max(50), z.string().max(50)]),
);

export const firePosition = (f: FiredPolicy): [string, string, string, string] => [
  f.policyId,
  f.policyVersion,
  f.mode,
  f.effect,
];

/** Where policy fire counts live (`console.policy_fires`, with `counted_decisions` for exactly once). */
export abstract class PolicyFireRepository {
  /**
   * Counts one fire of each policy for each decision event, at its `firedAt` — only the first time
   * that event id is seen (a redelivery, in this batch or a later one, counts nothing): the counts
   * and the event ids of a whole batch are written in one statement.
   */
  abstract record(decisions: DecisionFires[]): Promise<void>;

  /**
   * A page of the counts per policy, version, mode and effect, summed over tenants (undefined: all),
   * by that key (a count that changes between pages cannot move a row to another page).
   */
  abstract list(tenantId: string | undefined, page: PageRequest): Promise<Page<PolicyFire>>;

  /** Forgets the event ids counted before `before` (the decisions topic can no longer redeliver them). */
  abstract forgetCountedBefore(before: Date): Promise<void>;
}

/** The only place that speaks SQL about policy fires. */
@Injectable()
export class PostgresPolicyFireRepository extends PolicyFireRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async record(decisions: DecisionFires[]): Promise<void> {
    const rows = firstOfEachEvent(decisions).flatMap((d) => d.fired.map((f) => ({ ...d, ...f })));
    if (!rows.length) return;
    // Grouped, so no row is updated twice by the statement; sorted, so two instances' batches take
    // the rows' locks in one order and cannot deadlock.
    await this.db.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
           AS i(event_id, tenant_id, policy_id, policy_version, mode, effect, fired_at)
       ), fresh AS (
         INSERT INTO counted_decisions (event_id) SELECT DISTINCT event_id FROM input
         ON CONFLICT DO NOTHING RETURNING event_id
       )
       INSERT INTO policy_fires (tenant_id, policy_id, policy_version, mode, effect, count, last_fired_at)
       SELECT i.tenant_id, i.policy_id, i.policy_version, i.mode, i.effect, count(*), max(i.fired_at)
         FROM input i JOIN fresh USING (event_id)
        GROUP BY i.tenant_id, i.policy_id, i.policy_version, i.mode, i.effect
        ORDER BY i.tenant_id, i.policy_id, i.policy_version, i.mode, i.effect
       ON CONFLICT (tenant_id, policy_id, policy_version, mode, effect)
       DO UPDATE SET count = policy_fires.count + EXCLUDED.count,
                     last_fired_at = GREATEST(policy_fires.last_fired_at, EXCLUDED.last_fired_at)`,
      [
        rows.map((r) => r.eventId),
        rows.map((r) => r.tenantId),
        rows.map((r) => r.policyId),
        rows.map((r) => r.policyVersion),
        rows.map((r) => r.mode),
        rows.map((r) => r.effect),
        rows.map((r) => r.firedAt),
      ],
    );
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<PolicyFire>> {
    const after = POLICY_FIRES_KEYSET.after(page) ?? null;
    const rows = (await this.db.query(
      `SELECT policy_id, policy_version, mode, effect, SUM(count)::bigint AS count, MAX(last_fired_at) AS last_fired_at
         FROM policy_fires WHERE ($1::text IS NULL OR tenant_id = $1)
          AND ($2::text[] IS NULL OR (policy_id COLLATE "C", policy_version COLLATE "C", mode COLLATE "C", effect COLLATE "C")
                                     > ($2[1], $2[2], $2[3], $2[4]))
        GROUP BY policy_id, policy_version, mode, effect
        ORDER BY policy_id COLLATE "C", policy_version COLLATE "C", mode COLLATE "C", effect COLLATE "C"
        LIMIT $3`,
      [tenantId ?? null, after, page.limit + 1],
    )) as {
      policy_id: string;
      policy_version: string;
      mode: string;
      effect: string;
      count: string;
      last_fired_at: Date;
    }[];
    const fires = rows.map((r) => ({
      policyId: r.policy_id,
      policyVersion: r.policy_version,
      mode: r.mode,
      effect: r.effect,
      count: Number(r.count),
      lastFiredAt: r.last_fired_at.toISOString(),
    }));
    return POLICY_FIRES_KEYSET.page(fires, page.limit, firePosition);
  }

  async forgetCountedBefore(before: Date): Promise<void> {
    await this.db.query(`DELETE FROM counted_decisions WHERE counted_at < $1`, [before]);
  }
}
