import { EventEnvelope } from '@agentops/contracts';
import { Clock, LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { KnownAgents } from '../agents/known-agents';
import { KillswitchConfig } from '../config';
import { SwitchCommands } from '../switches/switch-commands';
import { BreakerDefinition, loadBreakerDefinitions } from './breaker-definition';
import { BreakerRepository, CohortMove } from './breaker-repository';
import {
  BreakerStateName,
  CohortState,
  Signal,
  StoredCohortState,
  Trip,
  agentIdOf,
  cohortKeyOf,
  cohortSelector,
  dueTransition,
  halfOpenReason,
  measures,
  newCohort,
  restoredCohort,
  signalsOf,
  tripOf,
  tripsFrom,
} from './breaker-state';
import { BreakerWindows } from './breaker-windows';

/**
 * Circuit breakers from `policies/breakers/*.yaml`: per-cohort sliding windows over intents,
 * decisions, verifications and telemetry. closed → open (flips a switch as `breaker:<name>`) →
 * half-open after the cool-down (the switch is replaced by one letting `halfOpen.share` of intents
 * through, under a stricter threshold) → closed after a clean probation (switch released).
 * The state machine is pure (breaker-state.ts); this use case applies its moves: flips and
 * releases switches, and stores the states through the BreakerRepository.
 *
 * Several instances share the work: each observes the signals of the partitions the consumer
 * group gave it, into windows kept in BreakerWindows (so a rebalance hands a window over whole),
 * and every move is a compare-and-set in the repository, so one instance wins each trip and each
 * transition. The cohorts held here are this instance's view, refreshed from the store every tick.
 */
@Injectable()
export class BreakerEngine implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private definitions: BreakerDefinition[] = [];
  private readonly cohorts = new Map<string, CohortState>();
  private timer?: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly repository: BreakerRepository,
    private readonly windows: BreakerWindows,
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
    this.refresh(rows);
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
        if (measures(def, signal)) await this.record(def, signal, event.id);
      }
    }
  }

  private async record(def: BreakerDefinition, signal: Signal, signalId: string): Promise<void> {
    const c = this.cohortOf(def, signal);
    // An open cohort is stopped by its switch: its signals are not measured.
    if (c.state === 'open') return;
    const value = await this.windows.observe(def, c.key, signalId, signal.observation, this.now());
    const trip = tripOf(def, c, value);
    if (trip) await this.trip(def, c, trip);
  }

  private cohortOf(def: BreakerDefinition, signal: Signal): CohortState {
    const id = `${def.name}\u0000${cohortKeyOf(def, signal.agent)}`;
    let c = this.cohorts.get(id);
    if (!c) {
      c = newCohort(def, signal.agent, this.now());
      this.cohorts.set(id, c);
    }
    return c;
  }

  private async trip(def: BreakerDefinition, c: CohortState, trip: Trip): Promise<void> {
    // Open before anything is awaited: this instance's signals meanwhile find the cohort stopped.
    c.state = 'open';
    const since = new Date(this.now());
    c.since = since.getTime();
    const replaced = await this.repository.move({
      breaker: def.name,
      key: c.key,
      from: tripsFrom(def, trip),
      to: (s) => ({ ...s, state: 'open', switchId: null, since, trips: s.trips + 1 }),
      lastValue: trip.value,
    });
    // Another instance tripped it first (or closed it meanwhile): the next tick brings its state.
    if (!replaced) return;
    c.trips = replaced.trips + 1;
    const flipped = await this.switches.flipAs(`breaker:${def.name}`, cohortSelector(def, c), trip.reason);
    c.switchId = flipped.id;
    if (replaced.state === 'half_open' && replaced.switchId)
      await this.releaseQuietly(def, replaced.switchId, 'half-open probe failed: breaker open again');
    await this.windows.clear(def, c.key);
    await this.repository.move({
      breaker: def.name,
      key: c.key,
      from: ['open'],
      since,
      to: (s) => ({ ...s, switchId: flipped.id }),
      lastValue: null,
    });
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
    this.refresh(await this.repository.unsettled());
    const now = this.now();
    for (const c of this.cohorts.values()) {
      const def = this.definitions.find((d) => d.name === c.breaker);
      if (!def) continue;
      const move = dueTransition(def, c, now);
      if (move === 'half_open') await this.halfOpen(def, c, new Date(now));
      else if (move === 'closed') await this.close(def, c, new Date(now));
    }
  }

  private async halfOpen(def: BreakerDefinition, c: CohortState, since: Date): Promise<void> {
    // Claimed with the full switch still held: an instance stopping here leaves the cohort covered.
    const replaced = await this.claim(c, {
      breaker: def.name,
      key: c.key,
      from: ['open'],
      since: new Date(c.since),
      to: (s) => ({ ...s, state: 'half_open', since }),
      lastValue: null,
    });
    if (!replaced) return;
    // Flip the partial switch before releasing the full one: the cohort is never uncovered.
    const probe = await this.switches.flipAs(
      `breaker:${def.name}`,
      cohortSelector(def, c),
      halfOpenReason(def),
      { passRatio: def.halfOpen.share },
    );
    if (replaced.switchId) await this.releaseQuietly(def, replaced.switchId, `breaker ${def.name} half-open`);
    c.switchId = probe.id;
    await this.windows.clear(def, c.key);
    await this.repository.move({
      breaker: def.name,
      key: c.key,
      from: ['half_open'],
      since,
      to: (s) => ({ ...s, switchId: probe.id }),
      lastValue: null,
    });
  }

  private async close(def: BreakerDefinition, c: CohortState, since: Date): Promise<void> {
    const replaced = await this.claim(c, {
      breaker: def.name,
      key: c.key,
      from: ['half_open'],
      since: new Date(c.since),
      to: (s) => ({ ...s, state: 'closed', switchId: null, since }),
      lastValue: null,
    });
    if (replaced?.switchId)
      await this.releaseQuietly(def, replaced.switchId, `breaker ${def.name} closed after a clean probation`);
  }

  /** Makes a tick's move, and on a win takes the moved state as this instance's view. */
  private async claim(c: CohortState, move: CohortMove): Promise<StoredCohortState | null> {
    const replaced = await this.repository.move(move);
    if (replaced) Object.assign(c, pick(move.to(replaced)));
    return replaced;
  }

  /**
   * Takes the stored states as this instance's view: the unsettled cohorts as stored, and a
   * cohort no longer among them closed (another instance closed it).
   */
  private refresh(rows: StoredCohortState[]): void {
    const stored = new Set<string>();
    for (const r of rows) {
      if (!this.definitions.some((d) => d.name === r.breaker)) continue;
      const id = `${r.breaker}\u0000${r.key}`;
      stored.add(id);
      const c = this.cohorts.get(id);
      if (c) Object.assign(c, pick(r));
      else this.cohorts.set(id, restoredCohort(r));
    }
    for (const [id, c] of this.cohorts) {
      if (c.state !== 'closed' && !stored.has(id)) Object.assign(c, { state: 'closed', switchId: null });
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

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** The stored fields of a cohort's state, as this instance's view holds them. */
function pick(s: StoredCohortState): Pick<CohortState, 'state' | 'switchId' | 'since' | 'trips'> {
  return { state: s.state, switchId: s.switchId, since: new Date(s.since).getTime(), trips: s.trips };
}
