import { CompiledPolicySet, PolicySource, compilePolicySet, formatProblem } from '@agentops/policy';
import { LOGGER, PeriodicRefresh, ReadinessRegistry } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { PolicySetStore, StoredPolicy } from './policy-set-store';

/**
 * The policy set this instance decides with. Booted from PostgreSQL, kept current by
 * `agentops.policies.v1` activations (and a periodic reconciliation for any message missed
 * between boot and the consumer joining).
 */
@Injectable()
export class ActivePolicySet implements OnModuleInit, OnModuleDestroy {
  private set: CompiledPolicySet | null = null;
  private readonly schedule: PeriodicRefresh;

  constructor(
    private readonly store: PolicySetStore,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.schedule = new PeriodicRefresh('policy-set', () => this.reconcile(), 30_000, logger);
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start(this.readiness);
  }

  onModuleDestroy(): void {
    this.schedule.stop();
  }

  get current(): CompiledPolicySet | null {
    return this.set;
  }

  /** Activates stored policies (from the topic or the store) unless that version is already active. */
  activate(version: string, policies: Pick<StoredPolicy, 'id' | 'file' | 'source'>[]): boolean {
    if (this.set?.version === version) return false;
    const sources: PolicySource[] = policies.map((p) => ({
      path: p.file || `${p.id}.yaml`,
      content: p.source,
    }));
    const result = compilePolicySet(sources);
    if (!result.ok) {
      // Sets are checked before they are stored; failing here means a newer engine rejects an old set.
      this.logger.error(
        { version, problems: result.problems.map(formatProblem) },
        'stored policy set does not compile; keeping the current one',
      );
      return false;
    }
    this.set = result.set;
    this.logger.info(
      { version: result.set.version, policies: result.set.policies.length },
      'policy set activated',
    );
    return true;
  }

  private async reconcile(): Promise<void> {
    const stored = await this.store.active();
    if (stored) this.activate(stored.version, stored.policies);
  }
}
