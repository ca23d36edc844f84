import { CohortSelector, EventEnvelope, EventTypes, KillSwitchChangedV1 } from '@agentops/contracts';
import { scopeSelectorToTenant, selectorCoversAgent } from '@agentops/cohort-selector';
import { createEvent, newEventId } from '@agentops/messaging';
import {
  ALL_TENANTS,
  Clock,
  DomainError,
  EVENT_SOURCE,
  LOGGER,
  Page,
  PageRequest,
  Principal,
  canAccessTenant,
} from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { KnownAgents } from '../agents/known-agents';
import { HistoryEntry, SwitchRecord, SwitchRepository } from './switch-repository';
import { SwitchFanout } from './switch-fanout';
import { FlipRequest } from './switch-requests';

/** Envelope tenant of a switch that spans tenants (global, or role-wide for the operator). */
export const PLATFORM_TENANT = 'platform';

/** A coded switch error: an unknown (or unreadable) switch is 404, a selector beyond the caller's tenant 403. */
export class KillSwitchError extends DomainError<'not_found' | 'forbidden'> {}

export interface SwitchView extends Omit<SwitchRecord, 'lastEvent'> {
  coveredAgents?: number;
}

/**
 * Use cases on switches: flip, release, expire, list, history. Each change is stored first
 * (PostgreSQL, with its history row), then fanned out (Redis + compacted topic). Audit records
 * the topic, so every change is audited.
 */
@Injectable()
export class SwitchCommands implements OnApplicationBootstrap, OnModuleDestroy {
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly repo: SwitchRepository,
    private readonly fanout: SwitchFanout,
    private readonly agents: KnownAgents,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(EVENT_SOURCE) private readonly source: string,
  ) {}

  async flip(principal: Principal, request: FlipRequest): Promise<SwitchView> {
    const scoped = scopeSelectorToTenant(
      request.selector,
      principal.tenantId,
      principal.tenantId === ALL_TENANTS,
    );
    if (!scoped.ok) throw new KillSwitchError('forbidden', scoped.reason);
    const expiresAt =
      request.expiresAt ??
      (request.ttlSeconds
        ? new Date(this.clock.now().getTime() + request.ttlSeconds * 1000).toISOString()
        : undefined);
    return this.flipAs(actorOf(principal), scoped.selector, request.reason, {
      ticket: request.ticket,
      expiresAt,
    });
  }

  /** For breakers and tools: a flip on behalf of a system actor such as `breaker:<name>`. */
  async flipAs(
    actor: string,
    selector: CohortSelector,
    reason: string,
    extra: { ticket?: string; expiresAt?: string; passRatio?: number } = {},
  ): Promise<SwitchView> {
    const switchId = newEventId();
    const event = this.changeEvent({
      switchId,
      selector,
      state: 'active',
      actor,
      reason,
      ticket: extra.ticket,
      expiresAt: extra.expiresAt,
      passRatio: extra.passRatio,
      changedAt: this.clock.now().toISOString(),
    });
    // Durable first: the fan-out starts once the row is committed, and nothing else is awaited
    // before it (the stored row comes back from the INSERT, so no read follows).
    const row = await this.repo.insertFlip(event);
    await this.fanout.publish(event);
    this.logger.warn({ switchId, selector, actor, reason }, 'kill switch flipped');
    return this.view(row);
  }

  async release(
    principal: Principal | null,
    id: string,
    reason: string,
    actor = principal ? actorOf(principal) : 'system',
  ): Promise<SwitchView> {
    const existing = await this.repo.find(id);
    if (!existing || (principal && !mayManage(principal, existing)))
      throw new KillSwitchError('not_found', `no kill switch ${id}`);
    const result = await this.repo.release(id, (row) =>
      this.changeEvent({
        switchId: row.id,
        selector: row.selector,
        state: 'released',
        actor,
        reason,
        ticket: row.ticket ?? undefined,
        expiresAt: row.expiresAt ?? undefined,
        changedAt: this.clock.now().toISOString(),
      }),
    );
    if (!result) throw new KillSwitchError('not_found', `no kill switch ${id}`);
    if (result.event) {
      await this.fanout.publish(result.event);
      this.logger.warn({ switchId: id, actor, reason }, 'kill switch released');
    }
    return this.view(result.row);
  }

  /**
   * What a flip would halt, before it happens: the console's confirmation says "this halts N
   * agents". Counts the agents seen proposing intents (the same set `list` counts against).
   */
  async preview(
    principal: Principal,
    selector: CohortSelector,
  ): Promise<{ selector: CohortSelector; coveredAgents: number; agents: string[] }> {
    const scoped = scopeSelectorToTenant(selector, principal.tenantId, principal.tenantId === ALL_TENANTS);
    if (!scoped.ok) throw new KillSwitchError('forbidden', scoped.reason);
    const covered = (await this.agents.all(tenantFilter(principal)))
      .filter((a) => selectorCoversAgent(scoped.selector, a))
      .map((a) => a.id)
      .sort();
    return { selector: scoped.selector, coveredAgents: covered.length, agents: covered };
  }

  async list(principal: Principal, state: 'active' | 'all', page: PageRequest): Promise<Page<SwitchView>> {
    const { items, next } = await this.repo.list(state, tenantFilter(principal), page);
    const known = await this.agents.all(tenantFilter(principal));
    return {
      items: items.map((r) => ({
        ...this.view(r),
        coveredAgents: known.filter((a) => selectorCoversAgent(r.selector, a)).length,
      })),
      next,
    };
  }

  async get(principal: Principal, id: string): Promise<SwitchView> {
    const row = await this.repo.find(id);
    if (!row || !mayRead(principal, row)) throw new KillSwitchError('not_found', `no kill switch ${id}`);
    return this.view(row);
  }

  async history(principal: Principal, page: PageRequest, id?: string): Promise<Page<HistoryEntry>> {
    if (id) await this.get(principal, id);
    return this.repo.history(id, tenantFilter(principal), page);
  }

  /** Auto-release: enforcement points already stopped enforcing at expiresAt; this records it. */
  async expireDue(): Promise<number> {
    const due = await this.repo.dueForExpiry();
    for (const id of due) await this.release(null, id, 'expired', 'system:expiry');
    return due.length;
  }

  async onApplicationBootstrap(): Promise<void> {
    // A crash between commit and fan-out must not leave a switch unenforced: republish the last
    // event of every active switch (same event ids, so audit and followers deduplicate).
    for (const event of await this.repo.activeEvents()) await this.fanout.publish(event);
    this.sweeper = setInterval(
      () => void this.expireDue().catch((err) => this.logger.warn({ err }, 'expiry sweep failed')),
      1000,
    );
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private changeEvent(data: KillSwitchChangedV1): EventEnvelope<KillSwitchChangedV1> {
    return createEvent(EventTypes.KillSwitchChanged, data, {
      source: this.source,
      tenantid: data.selector.tenantId ?? PLATFORM_TENANT,
      agentid: data.selector.agentId,
      subject: data.switchId,
      correlationid: data.switchId,
    });
  }

  private view(row: SwitchRecord): SwitchView {
    const { lastEvent: _lastEvent, ...rest } = row;
    return rest;
  }
}

function actorOf(p: Principal): string {
  if (p.kind === 'service') return `service:${p.id}`;
  return p.kind === 'operator' ? 'operator' : `user:${p.id}`;
}

function tenantFilter(p: Principal): string | undefined {
  return p.tenantId === ALL_TENANTS ? undefined : p.tenantId;
}

/** A switch spanning tenants (no tenantId) belongs to the platform operator's tenant only. */
function mayManage(p: Principal, row: SwitchRecord): boolean {
  return row.tenantId === null ? p.tenantId === ALL_TENANTS : canAccessTenant(p, row.tenantId);
}

const mayRead = mayManage;
