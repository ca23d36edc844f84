import { EventEnvelope } from '@agentops/contracts';
import { Clock, LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { KnownAgents } from '../agents/known-agents';
import { KillswitchConfig } from '../config';
import { SwitchCommands } from '../switches/switch-commands';
import { BreakerDefinition, loadBreakerDefinitions } from './breaker-definition';
import { BreakerRepository } from './breaker-repository';
import {
  BreakerStateName,
  CohortState,
  Signal,
  Trip,
  agentIdOf,
  cohortKeyOf,
  cohortSelector,
  dueTransition,
  halfOpenReason,
  measures,
  newCohort,
  observeSignal,
  restoredCohort,
  signalsOf,
} from './breaker-state';

/**
 * Circuit breakers from `policies/breakers/*.yaml`: per-cohort sliding windows over intents,
 * decisions, verifications and telemetry. closed → open (flips a switch as `breaker:<name>`) →
 * half-open after the cool-down (the switch is replaced by one letting `halfOpen.share` of intents
 * through, under a stricter threshold) → closed after a clean probation (switch released).
 * The state machine is pure (breaker-state.ts); this use case applies its moves: flips and
 * releases switches, and stores the states through the BreakerRepository, reloaded at start
 * (windows restart empty).
 */
@Injectable()
export class BreakerEngine implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private definitions: BreakerDefinition[] = [];
  private readonly cohorts = new Map<string, CohortState>();
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly repository: BreakerRepository,
    private readonly agents: KnownAgents,
    private readonly switches: SwitchCommands,
    private readonly readiness: ReadinessRegistry,
    private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: KillswitchConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.definitions = loadBreakerDefinitions(resolve(this.config.BREAKERS_DIR));
    const rows = await this.repository.unsettled();
    for (const r of rows) {
      const def = this.definitions.find((d) => d.name === r.breaker);
      if (!def) continue;
      this.cohorts.set(`${r.breaker}\u0000${r.key}`, restoredCohort(def, r));
    }
    this.readiness.add({ name: 'breakers', check: () => undefined });
    this.logger.info(
      { breakers: this.definitions.map((d) => d.name), restored: rows.length },
      'breakers loaded',
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.tick().catch((err) => this.logger.warn({ err }, 'breaker tick failed')),
      this.config.BREAKER_TICK_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  get breakers(): readonly BreakerDefinition[] {
    return this.definitions;
  }

  /** Feeds one event to every breaker that measures it. */
  async observe(event: EventEnvelope): Promise<void> {
    if (this.definitions.length === 0) return;
    const agentId = agentIdOf(event);
    const agent = agentId === undefined ? undefined : await this.agents.find(agentId);
    for (const signal of signalsOf(event, agent, this.now())) {
      for (const def of this.definitions) {
        if (measures(def, signal)) await this.record(def, signal);
      }
    }
  }

  private async record(def: BreakerDefinition, signal: Signal): Promise<void> {
    const id = `${def.name}\u0000${cohortKeyOf(def, signal.agent)}`;
    let c = this.cohorts.get(id);
    if (!c) {
      c = newCohort(def, signal.agent, this.now());
      this.cohorts.set(id, c);
    }
    const trip = observeSignal(def, c, signal.observation, this.now());
    if (trip) await this.trip(def, c, trip);
  }

  private async trip(def: BreakerDefinition, c: CohortState, trip: Trip): Promise<void> {
    const halfOpenSwitch = c.state === 'half_open' ? c.switchId : null;
    // Open before the flip is awaited: signals meanwhile find the cohort stopped.
    c.state = 'open';
    c.since = this.now();
    c.trips++;
    const flipped = await this.switches.flipAs(`breaker:${def.name}`, cohortSelector(def, c), trip.reason);
    c.switchId = flipped.id;
    if (halfOpenSwitch)
      await this.releaseQuietly(def, halfOpenSwitch, 'half-open probe failed: breaker open again');
    c.window.clear();
    await this.persist(c, trip.value);
    this.logger.warn(
      { breaker: def.name, cohort: c.key, value: trip.value, switchId: flipped.id },
      'breaker tripped',
    );
  }

  /**
   * Moves cohorts along open → half-open → closed. One tick at a time: a tick that outlasts the
   * interval (a slow flip under load) must not overlap the next, or both would see a cohort still
   * open and each flip a half-open switch, one of which nothing ever releases.
   */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.advanceCohorts();
    } finally {
      this.ticking = false;
    }
  }

  private async advanceCohorts(): Promise<void> {
    const now = this.now();
    for (const c of this.cohorts.values()) {
      const def = this.definitions.find((d) => d.name === c.breaker);
      if (!def) continue;
      const move = dueTransition(def, c, now);
      if (move === 'half_open') {
        // Flip the partial switch before releasing the full one: the cohort is never uncovered.
        const probe = await this.switches.flipAs(
          `breaker:${def.name}`,
          cohortSelector(def, c),
          halfOpenReason(def),
          { passRatio: def.halfOpen.share },
        );
        if (c.switchId) await this.releaseQuietly(def, c.switchId, `breaker ${def.name} half-open`);
        c.state = 'half_open';
        c.since = now;
        c.switchId = probe.id;
        c.window.clear();
        await this.persist(c, null);
      } else if (move === 'closed') {
        if (c.switchId)
          await this.releaseQuietly(def, c.switchId, `breaker ${def.name} closed after a clean probation`);
        c.state = 'closed';
        c.since = now;
        c.switchId = null;
        await this.persist(c, null);
      }
    }
  }

  private async releaseQuietly(def: BreakerDefinition, switchId: string, reason: string): Promise<void> {
    await this.switches.release(null, switchId, reason, `breaker:${def.name}`).catch((err: Error) => {
      this.logger.warn({ err, breaker: def.name, switchId }, 'breaker could not release its switch');
    });
  }

  /** For the API and tests: every cohort's breaker state, or those of one tenant's cohorts. */
  states(tenantId?: string): {
    breaker: string;
    tenantId: string;
    cohort: string;
    state: BreakerStateName;
    switchId: string | null;
    since: string;
    trips: number;
  }[] {
    return [...this.cohorts.values()]
      .filter((c) => tenantId === undefined || c.tenantId === tenantId)
      .map((c) => ({
        breaker: c.breaker,
        tenantId: c.tenantId,
        cohort: c.key,
        state: c.state,
        switchId: c.switchId,
        since: new Date(c.since).toISOString(),
        trips: c.trips,
      }));
  }

  private persist(c: CohortState, value: number | null): Promise<void> {
    const { breaker, key, state, switchId, trips } = c;
    return this.repository.save({ breaker, key, state, switchId, since: new Date(c.since), trips }, value);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
