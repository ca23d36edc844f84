import { RetailFacts } from '@agentops/policy';
import { LOGGER, PeriodicRefresh, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { GuardrailConfig } from '../config';
import { RetailFactsRepository } from './retail-facts-repository';

const EMPTY: RetailFacts = { competitors: [], ownBrands: [], approvedFacts: [] };

/** The latest version of each tenant's retail facts, held in memory for the decision path. */
@Injectable()
export class RetailFactsCache implements OnModuleInit, OnModuleDestroy {
  private facts = new Map<string, { version: number; facts: RetailFacts }>();
  private readonly schedule: PeriodicRefresh;

  constructor(
    private readonly repository: RetailFactsRepository,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) config: GuardrailConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.schedule = new PeriodicRefresh(
      'retail-facts',
      () => this.refresh(),
      config.CATALOG_REFRESH_MS,
      logger,
    );
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start(this.readiness);
  }

  onModuleDestroy(): void {
    this.schedule.stop();
  }

  async refresh(): Promise<void> {
    const rows = await this.repository.latestPerTenant();
    this.facts = new Map(
      rows.map((r) => [r.tenantId, { version: r.version, facts: { ...EMPTY, ...r.facts } }]),
    );
  }

  forTenant(tenantId: string): RetailFacts {
    return this.facts.get(tenantId)?.facts ?? EMPTY;
  }

  versionOf(tenantId: string): number {
    return this.facts.get(tenantId)?.version ?? 0;
  }

  /** Stores a new version and serves it at once on this instance (others pick it up on refresh). */
  async importFacts(tenantId: string, facts: RetailFacts, importedBy: string): Promise<number> {
    const version = await this.repository.storeNextVersion(tenantId, facts, importedBy);
    await this.refresh();
    return version;
  }
}
