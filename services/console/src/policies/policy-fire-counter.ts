import { EventEnvelope, IntentDecidedV1, Topics } from '@agentops/contracts';
import { LOGGER } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

export interface PolicyFire {
  policyId: string;
  policyVersion: string;
  mode: string;
  effect: string;
  count: number;
  lastFiredAt: string;
}

/** A decision counted once is remembered for as long as the decisions topic could redeliver it. */
const REMEMBER_MS = Topics.decisions.retentionMs + 24 * 3600 * 1000;

/**
 * How often each policy fired: every reason on a decision is one policy that matched (shadow-mode
 * ones included, so a policy can be judged before it is enforced). Exactly once per decision event:
 * the count and the event id are written in one statement.
 */
@Injectable()
export class PolicyFireCounter implements OnApplicationBootstrap, OnModuleDestroy {
  private pruner?: NodeJS.Timeout;

  constructor(
    private readonly db: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async count(event: EventEnvelope<IntentDecidedV1>): Promise<void> {
    const reasons = event.data.reasons;
    if (reasons.length === 0) return;
    // One row per policy even if a decision names it twice (e.g. two messages from one policy).
    const fired = new Map(
      reasons.map((r) => [`${r.policyId}\u0000${r.policyVersion}\u0000${r.mode}\u0000${r.effect}`, r]),
    );
    const rows = [...fired.values()];
    await this.db.query(
      `WITH fresh AS (
         INSERT INTO counted_decisions (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id
       )
       INSERT INTO policy_fires (tenant_id, policy_id, policy_version, mode, effect, count, last_fired_at)
       SELECT $2, p.policy_id, p.policy_version, p.mode, p.effect, 1, $7
         FROM fresh, unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS p(policy_id, policy_version, mode, effect)
       ON CONFLICT (tenant_id, policy_id, policy_version, mode, effect)
       DO UPDATE SET count = policy_fires.count + 1,
                     last_fired_at = GREATEST(policy_fires.last_fired_at, EXCLUDED.last_fired_at)`,
      [
        event.id,
        event.tenantid,
        rows.map((r) => r.policyId),
        rows.map((r) => r.policyVersion),
        rows.map((r) => r.mode ?? 'enforce'),
        rows.map((r) => r.effect),
        event.data.decidedAt,
      ],
    );
  }

  async list(tenantId?: string): Promise<PolicyFire[]> {
    const rows = (await this.db.query(
      `SELECT policy_id, policy_version, mode, effect, SUM(count)::bigint AS count, MAX(last_fired_at) AS last_fired_at
         FROM policy_fires WHERE ($1::text IS NULL OR tenant_id = $1)
        GROUP BY policy_id, policy_version, mode, effect
        ORDER BY count DESC, policy_id`,
      [tenantId ?? null],
    )) as {
      policy_id: string;
      policy_version: string;
      mode: string;
      effect: string;
      count: string;
      last_fired_at: Date;
    }[];
    return rows.map((r) => ({
      policyId: r.policy_id,
      policyVersion: r.policy_version,
      mode: r.mode,
      effect: r.effect,
      count: Number(r.count),
      lastFiredAt: r.last_fired_at.toISOString(),
    }));
  }

  onApplicationBootstrap(): void {
    this.pruner = setInterval(() => {
      this.db
        .query(`DELETE FROM counted_decisions WHERE counted_at < $1`, [new Date(Date.now() - REMEMBER_MS)])
        .catch((err: unknown) => this.logger.warn({ err }, 'pruning counted decisions failed'));
    }, 3600_000);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruner);
  }
}
