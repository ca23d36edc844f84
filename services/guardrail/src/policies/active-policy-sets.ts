import {
  CompiledPolicySet,
  PolicyLayers,
  PolicySource,
  compilePolicySet,
  formatProblem,
} from '@agentops/policy';
import { ActiveKnowledge } from '@agentops/knowledge-client';
import { LOGGER, PeriodicRefresh, ReadinessRegistry } from '@agentops/service-runtime';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { PolicyScope, describeScope, scopeKey } from './policy-scope';
import { PolicySetStore, StoredPolicy } from './policy-set-store';

interface ActiveSet {
  set: CompiledPolicySet;
  /** When the set was applied (PostgreSQL's clock): a late or replayed older activation never wins. */
  appliedAt: number;
}

/**
 * The policy sets this instance decides with: the platform baseline and every tenant's set. Booted
 * from PostgreSQL, kept current by `agentops.policies.v1` activations (one message per scope) and a
 * periodic reconciliation for anything missed between boot and the consumer joining. Activation is
 * atomic per scope: an intent is judged by whole sets, never half of an old one.
 */
@Injectable()
export class ActivePolicySets implements OnModuleInit, OnModuleDestroy {
  private readonly sets = new Map<string, ActiveSet>();
  private readonly schedule: PeriodicRefresh;

  constructor(
    private readonly store: PolicySetStore,
    private readonly readiness: ReadinessRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly knowledge: ActiveKnowledge,
  ) {
    this.schedule = new PeriodicRefresh('policy-set', () => this.reconcile(), 30_000, logger);
  }

  onModuleInit(): Promise<void> {
    return this.schedule.start(this.readiness);
  }

  onModuleDestroy(): void {
    this.schedule.stop();
  }

  get baseline(): CompiledPolicySet | null {
    return this.sets.get('baseline')?.set ?? null;
  }

  tenant(tenantId: string): CompiledPolicySet | null {
    return this.sets.get(scopeKey({ kind: 'tenant', tenantId }))?.set ?? null;
  }

  /** Tenants with a set of their own, and its version. */
  tenantVersions(): { tenantId: string; version: string; policies: number }[] {
    return [...this.sets.entries()]
      .filter(([key]) => key.startsWith('tenant:'))
      .map(([key, active]) => ({
        tenantId: key.slice('tenant:'.length),
        version: active.set.version,
        policies: active.set.policies.length,
      }))
      .sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  /**
   * What an intent of this tenant is judged by — the baseline, the tenant's set and the tenant's
   * current knowledge version; null while no baseline is active (nothing is allowed).
   */
  layersFor(tenantId: string): PolicyLayers | null {
    const baseline = this.baseline;
    if (!baseline) return null;
    const tenant = this.tenant(tenantId);
    const knowledge = this.knowledge.current(tenantId)?.compiled;
    return { baseline, ...(tenant ? { tenant } : {}), ...(knowledge ? { knowledge } : {}) };
  }

  /**
   * Activates stored policies (from the topic, the store or this instance's own apply) for their
   * scope, unless that version is already active or a later application already took effect.
   */
  activate(
    scope: PolicyScope,
    version: string,
    policies: Pick<StoredPolicy, 'id' | 'file' | 'source'>[],
    appliedAt: Date,
  ): boolean {
    const key = scopeKey(scope);
    const current = this.sets.get(key);
    if (current && current.appliedAt > appliedAt.getTime()) return false;
    if (current?.set.version === version) {
      current.appliedAt = appliedAt.getTime();
      return false;
    }
    const sources: PolicySource[] = policies.map((p) => ({
      path: p.file || `${p.id}.yaml`,
      content: p.source,
    }));
    const result = compilePolicySet(sources);
    if (!result.ok) {
      // Sets are checked before they are stored; failing here means a newer engine rejects an old set.
      this.logger.error(
        { scope: key, version, problems: result.problems.map(formatProblem) },
        `stored policy set of ${describeScope(scope)} does not compile; keeping the current one`,
      );
      return false;
    }
    this.sets.set(key, { set: result.set, appliedAt: appliedAt.getTime() });
    this.logger.info(
      { scope: key, version: result.set.version, policies: result.set.policies.length },
      'policy set activated',
    );
    return true;
  }

  private async reconcile(): Promise<void> {
    for (const stored of await this.store.activeVersions()) {
      if (this.sets.get(scopeKey(stored.scope))?.set.version === stored.version) continue;
      const set = await this.store.active(stored.scope);
      if (set) this.activate(set.scope, set.version, set.policies, set.appliedAt);
    }
  }
}
