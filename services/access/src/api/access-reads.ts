import { AccessMonitor } from '@agentops/access-anomaly';
import {
  AccessAnomalyDetectedV1,
  AccessAnomalyQuery,
  AccessBaseline,
  AccessBaselineQuery,
} from '@agentops/contracts';
import {
  ALL_TENANTS,
  Clock,
  KEYSET_TIME,
  Keyset,
  Page,
  Principal,
  canAccessTenant,
} from '@agentops/service-runtime';
import { ForbiddenException, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { QUARANTINE_MEMORY_MS } from '../containment/containment';
import { AccessStateStore } from '../monitoring/access-state-store';

/** Anomalies newest first: a position is the anomaly's detection time and id. */
const ANOMALIES_KEYSET = new Keyset(z.tuple([KEYSET_TIME, z.string().uuid()]));

/**
 * Use case: what the console and the CLI read — anomalies with their explanation, and each agent's
 * baseline beside its open bucket. Read from the rows (every instance's agents), tenant-bound
 * callers only ever see their tenant's.
 */
@Injectable()
export class AccessReads {
  constructor(
    private readonly store: AccessStateStore,
    private readonly clock: Clock,
  ) {}

  async anomalies(principal: Principal, query: AccessAnomalyQuery): Promise<Page<AccessAnomalyDetectedV1>> {
    const { cursor, ...filter } = query;
    const after = ANOMALIES_KEYSET.after({ cursor, limit: query.limit });
    const rows = await this.store.anomalies({
      ...filter,
      tenantId: tenantOf(principal, query.tenantId),
      limit: query.limit + 1,
      ...(after ? { after } : {}),
    });
    return ANOMALIES_KEYSET.page(rows, query.limit, (a) => [a.detectedAt, a.anomalyId]);
  }

  async baselines(principal: Principal, query: AccessBaselineQuery): Promise<AccessBaseline[]> {
    const rows = await this.store.agentRows(tenantOf(principal, query.tenantId), query.agentId);
    // The rows judged as the monitor would judge them now: the same baselines, peers included.
    const monitor = new AccessMonitor();
    monitor.importCohorts(await this.store.loadCohorts());
    monitor.importAgents(rows.map((r) => r.state));
    const since = new Date(this.clock.now().getTime() - QUARANTINE_MEMORY_MS);
    return Promise.all(
      rows.map(async (r) => {
        const judged = monitor.baselineOf(r.agentId);
        const open = r.state.open;
        return {
          agentId: r.agentId,
          tenantId: r.tenantId,
          role: r.state.ref.role,
          version: r.state.ref.version,
          from: judged ? (judged.from as 'agent' | 'cohort' | 'role') : null,
          perIntent: judged?.perIntent ?? null,
          now: { ...open.counts, intents: open.intents },
          quarantineSwitchId: (await this.store.recentQuarantine(r.agentId, since)) ?? null,
        };
      }),
    );
  }
}

/** The tenant a read is bound to: the caller's own, or the one a platform-wide caller names (none: all). */
function tenantOf(p: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined && !canAccessTenant(p, requested))
    throw new ForbiddenException(`tenant ${requested} is not yours`);
  return p.tenantId === ALL_TENANTS ? requested : p.tenantId;
}
