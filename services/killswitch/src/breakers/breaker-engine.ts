import {
  EventEnvelope,
  EventTypes,
  IntentDecidedV1,
  IntentProposedV1,
  OutcomeVerifiedV1,
  TelemetryRecordedV1,
} from '@agentops/contracts';
import {
  CohortMember,
  actionMatches,
  describeSelector,
  selectorCoversAgent,
} from '@agentops/cohort-selector';
import { LOGGER, ReadinessRegistry, SERVICE_CONFIG } from '@agentops/service-runtime';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { KnownAgents } from '../agents/known-agents';
import { KillswitchConfig } from '../config';
import { SwitchCommands } from '../switches/switch-commands';
import { BreakerDefinition, BreakerMetric, loadBreakerDefinitions } from './breaker-definition';
import { Observation, SlidingWindow } from './sliding-window';

type BreakerStateName = 'closed' | 'open' | 'half_open';

interface CohortState {
  breaker: string;
  key: string;
  tenantId: string;
  agentId?: string;
  state: BreakerStateName;
  switchId: string | null;
  since: number;
  trips: number;
  window: SlidingWindow;
}

interface Signal {
  metric: BreakerMetric;
  agent: CohortMember;
  action?: string;
  observation: Observation;
}

/**
 * Circuit breakers from `policies/breakers/*.yaml`: per-cohort sliding windows over intents,
 * decisions, verifications and telemetry. closed → open (flips a switch as `breaker:<name>`) →
 * half-open after the cool-down (the switch is replaced by one letting `halfOpen.share` of intents
 * through, under a stricter threshold) → closed after a clean probation (switch released).
 * Breaker states are stored in PostgreSQL and reloaded at start; windows restart empty.
 */
@Injectable()
export class BreakerEngine implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private definitions: BreakerDefinition[] = [];
  private readonly cohorts = new Map<string, CohortState>();
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private readonly clock = () => Date.now();

  constructor(
    private readonly dataSource: DataSource,
    private readonly agents: KnownAgents,
    private readonly switches: SwitchCommands,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_CONFIG) private readonly config: KillswitchConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    this.definitions = loadBreakerDefinitions(resolve(this.config.BREAKERS_DIR));
    const rows = (await this.dataSource.query(
      `SELECT breaker, cohort_key AS key, state, switch_id AS "switchId", since, trips FROM breaker_states WHERE state <> 'closed'`,
    )) as {
      breaker: string;
      key: string;
      state: BreakerStateName;
      switchId: string | null;
      since: Date;
      trips: number;
    }[];
    for (const r of rows) {
      const def = this.definitions.find((d) => d.name === r.breaker);
      if (!def) continue;
      const [tenantId, agentId] = r.key.split('/');
      this.cohorts.set(`${r.breaker}\u0000${r.key}`, {
        breaker: r.breaker,
        key: r.key,
        tenantId,
        agentId: agentId || undefined,
        state: r.state,
        switchId: r.switchId,
        since: new Date(r.since).getTime(),
        trips: r.trips,
        window: new SlidingWindow(def.window),
      });
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
    for (const signal of await this.signalsOf(event)) {
      for (const def of this.definitions) {
        if (def.metric !== signal.metric || !selectorCoversAgent(def.cohort, signal.agent)) continue;
        if (def.cohort.action && signal.action && !actionMatches(def.cohort.action, signal.action)) continue;
        await this.record(def, signal);
      }
    }
  }

  private async record(def: BreakerDefinition, signal: Signal): Promise<void> {
    const key = def.per === 'agent' ? `${signal.agent.tenantId}/${signal.agent.id}` : signal.agent.tenantId;
    const id = `${def.name}\u0000${key}`;
    let c = this.cohorts.get(id);
    if (!c) {
      c = {
        breaker: def.name,
        key,
        tenantId: signal.agent.tenantId,
        agentId: def.per === 'agent' ? signal.agent.id : undefined,
        state: 'closed',
        switchId: null,
        since: this.clock(),
        trips: 0,
        window: new SlidingWindow(def.window),
      };
      this.cohorts.set(id, c);
    }
    if (c.state === 'open') return; // the switch already stops the cohort
    c.window.add(signal.observation);
    const now = this.clock();
    const value = measure(def, c.window, now);
    if (value === null) return;
    const limit = c.state === 'half_open' ? def.threshold * def.halfOpen.thresholdFactor : def.threshold;
    if (value > limit) await this.trip(def, c, value, limit);
  }

  private async trip(def: BreakerDefinition, c: CohortState, value: number, limit: number): Promise<void> {
    const selector = {
      ...def.trip.selector,
      tenantId: c.tenantId,
      ...(c.agentId ? { agentId: c.agentId } : {}),
    };
    // Name the limit that was crossed: half-open trips under the stricter one.
    const crossed = `${round(limit)}${c.state === 'half_open' ? ' (half-open)' : ''}`;
    const reason = `${def.trip.reason ?? `breaker ${def.name} tripped`}: ${def.metric} ${round(value)} > ${crossed} within ${def.window / 1000}s (${describeSelector(selector)})`;
    const halfOpenSwitch = c.state === 'half_open' ? c.switchId : null;
    c.state = 'open';
    c.since = this.clock();
    c.trips++;
    const flipped = await this.switches.flipAs(`breaker:${def.name}`, selector, reason.slice(0, 2000));
    c.switchId = flipped.id;
    if (halfOpenSwitch)
      await this.releaseQuietly(def, halfOpenSwitch, 'half-open probe failed: breaker open again');
    c.window.clear();
    await this.persist(c, value);
    this.logger.warn({ breaker: def.name, cohort: c.key, value, switchId: flipped.id }, 'breaker tripped');
  }

  /** open → half-open after the cool-down; half-open → closed after a clean probation. */
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
    const now = this.clock();
    for (const c of this.cohorts.values()) {
      const def = this.definitions.find((d) => d.name === c.breaker);
      if (!def) continue;
      if (c.state === 'open' && now - c.since >= def.coolDown) {
        // Flip the partial switch before releasing the full one: the cohort is never uncovered.
        const selector = {
          ...def.trip.selector,
          tenantId: c.tenantId,
          ...(c.agentId ? { agentId: c.agentId } : {}),
        };
        const probe = await this.switches.flipAs(
          `breaker:${def.name}`,
          selector,
          `breaker ${def.name} half-open after ${def.coolDown / 1000}s cool-down: ${Math.round(def.halfOpen.share * 100)}% of intents let through`,
          { passRatio: def.halfOpen.share },
        );
        if (c.switchId) await this.releaseQuietly(def, c.switchId, `breaker ${def.name} half-open`);
        c.state = 'half_open';
        c.since = now;
        c.switchId = probe.id;
        c.window.clear();
        await this.persist(c, null);
      } else if (c.state === 'half_open' && now - c.since >= def.halfOpen.probation) {
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

  private async persist(c: CohortState, value: number | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO breaker_states (breaker, cohort_key, state, switch_id, since, trips, last_value) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (breaker, cohort_key) DO UPDATE SET state = EXCLUDED.state, switch_id = EXCLUDED.switch_id, since = EXCLUDED.since,
         trips = EXCLUDED.trips, last_value = COALESCE(EXCLUDED.last_value, breaker_states.last_value)`,
      [c.breaker, c.key, c.state, c.switchId, new Date(c.since), c.trips, value],
    );
  }

  private async signalsOf(event: EventEnvelope): Promise<Signal[]> {
    const at = Date.parse(event.time) || this.clock();
    switch (event.type) {
      case EventTypes.IntentProposed: {
        const d = event.data as IntentProposedV1;
        if (!d.action.startsWith('pricing.')) return [];
        const out: Signal[] = [
          {
            metric: 'distinct_skus_repriced',
            agent: d.agent,
            action: d.action,
            observation: { at, value: 1, key: d.target.id },
          },
        ];
        const discount = discountOf(d.params);
        if (discount > 0)
          out.push({
            metric: 'total_discount_value',
            agent: d.agent,
            action: d.action,
            observation: { at, value: discount },
          });
        return out;
      }
      case EventTypes.IntentDecided: {
        const d = event.data as IntentDecidedV1;
        // The breaker's own refusals must not keep it tripping.
        if (d.decidedBy === 'killswitch' || d.decidedBy === 'breaker') return [];
        const agent = await this.agents.find(d.agentId);
        return agent
          ? [
              {
                metric: 'deny_rate',
                agent,
                action: d.action,
                observation: { at, value: d.verdict === 'deny' ? 1 : 0 },
              },
            ]
          : [];
      }
      case EventTypes.OutcomeVerified: {
        const d = event.data as OutcomeVerifiedV1;
        const agent = await this.agents.find(d.agentId);
        return agent
          ? [{ metric: 'verification_violations', agent, observation: { at, value: d.violation ? 1 : 0 } }]
          : [];
      }
      case EventTypes.TelemetryRecorded: {
        const d = event.data as TelemetryRecordedV1;
        const agent = await this.agents.find(d.agentId);
        if (!agent) return [];
        const out: Signal[] = [
          { metric: 'error_rate', agent, observation: { at, value: d.kind === 'error' ? 1 : 0 } },
        ];
        if (d.kind === 'data_access' && d.dataClasses.some((c) => c.startsWith('customer'))) {
          out.push({ metric: 'customer_records_read', agent, observation: { at, value: d.records ?? 1 } });
        }
        return out;
      }
      default:
        return [];
    }
  }
}

function measure(def: BreakerDefinition, w: SlidingWindow, now: number): number | null {
  switch (def.metric) {
    case 'deny_rate':
    case 'error_rate':
      return w.rate(now, def.minSamples);
    case 'distinct_skus_repriced':
      return w.distinct(now);
    default:
      return w.sum(now);
  }
}

/** `params.discountValue`, or `previousPrice - price` when both are given. */
function discountOf(params: Record<string, unknown>): number {
  if (typeof params['discountValue'] === 'number') return params['discountValue'];
  const prev = params['previousPrice'];
  const price = params['price'];
  return typeof prev === 'number' && typeof price === 'number' && prev > price ? prev - price : 0;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
