import { AccessMonitor } from '@agentops/access-anomaly';
import {
  AccessAnomalyDetectedV1,
  AccessAnomalyQuery,
  AccessBaseline,
  AccessBaselineQuery,
} from '@agentops/contracts';
import { Clock, Page, Principal, tenantOfRead } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { QUARANTINE_MEMORY_MS } from '../containment/containment';
import { AccessStateStore } from '../monitoring/access-state-store';

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

  anomalies(principal: Principal, query: AccessAnomalyQuery): Promise<Page<AccessAnomalyDetectedV1>> {
    const { limit, cursor, ...filter } = query;
    return this.store.anomalies(
      { ...filter, tenantId: tenantOfRead(principal, query.tenantId) },
      { limit, cursor },
    );
  }

  async baselines(principal: Principal, query: AccessBaselineQuery): Promise<Page<AccessBaseline>> {
    const { items: rows, next } = await this.store.agentRows(
      tenantOfRead(principal, query.tenantId),
      query.agentId,
      query,
    );
    // The rows judged as the monitor would judge them now: the same baselines, peers included.
    const monitor = new AccessMonitor();
    monitor.importCohorts(await this.store.loadCohorts());
    monitor.importAgents(rows.map((r) => r.state));
    const since = new Date(this.clock.now().getTime() - QUARANTINE_MEMORY_MS);
    const items = await Promise.all(
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
    return { items, next };
  }
}
