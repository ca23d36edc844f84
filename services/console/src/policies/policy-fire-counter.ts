import { EventEnvelope, IntentDecidedV1, Topics } from '@agentops/contracts';
import { Clock, LOGGER, Page, PageRequest } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { FiredPolicy, PolicyFire, PolicyFireRepository } from './policy-fire-repository';

export type { PolicyFire } from './policy-fire-repository';

/** A decision counted once is remembered for as long as the decisions topic could redeliver it. */
export const REMEMBER_MS = Topics.decisions.retentionMs + 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 3600_000;

/** The policies a decision names, once each (a policy may give two messages on one decision). */
export function firedPolicies(decision: IntentDecidedV1): FiredPolicy[] {
  const fired = new Map<string, FiredPolicy>();
  for (const r of decision.reasons) {
    const p = {
      policyId: r.policyId,
      policyVersion: r.policyVersion,
      mode: r.mode ?? 'enforce',
      effect: r.effect,
    };
    fired.set(`${p.policyId}\u0000${p.policyVersion}\u0000${p.mode}\u0000${p.effect}`, p);
  }
  return [...fired.values()];
}

/**
 * Use case: how often each policy fired. Every reason on a decision is one policy that matched
 * (shadow-mode ones included, so a policy can be judged before it is enforced), counted exactly
 * once per decision event through the PolicyFireRepository. The event ids it remembers for that
 * are pruned hourly, once the decisions topic can no longer redeliver them (by the Clock).
 */
@Injectable()
export class PolicyFireCounter implements OnApplicationBootstrap, OnModuleDestroy {
  private pruner?: NodeJS.Timeout;

  constructor(
    private readonly repository: PolicyFireRepository,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A fetch's decisions, counted in one statement (decisions that name no policy count nothing). */
  async count(events: EventEnvelope<IntentDecidedV1>[]): Promise<void> {
    const decisions = events
      .map((e) => ({
        eventId: e.id,
        tenantId: e.tenantid,
        fired: firedPolicies(e.data),
        firedAt: e.data.decidedAt,
      }))
      .filter((d) => d.fired.length > 0);
    if (decisions.length) await this.repository.record(decisions);
  }

  list(tenantId: string | undefined, page: PageRequest): Promise<Page<PolicyFire>> {
    return this.repository.list(tenantId, page);
  }

  /** Forgets the decisions counted longer ago than the decisions topic keeps them. */
  async prune(): Promise<void> {
    await this.repository.forgetCountedBefore(new Date(this.clock.now().getTime() - REMEMBER_MS));
  }

  onApplicationBootstrap(): void {
    this.pruner = setInterval(() => {
      this.prune().catch((err: unknown) => this.logger.warn({ err }, 'pruning counted decisions failed'));
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruner);
  }
}
