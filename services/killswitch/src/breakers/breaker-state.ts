import {
  CohortSelector,
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
import { isFailClosed } from '@agentops/decisions';
import { BreakerDefinition, BreakerMetric } from './breaker-definition';
import { Observation } from './sliding-window';

/**
 * The breaker state machine as pure functions: what a signal means to a cohort's window, when a
 * cohort trips, and when it moves open → half-open → closed. No I/O and no clock of its own: the
 * BreakerEngine passes `now`, flips and releases the switches and stores the states.
 */

export type BreakerStateName = 'closed' | 'open' | 'half_open';

/** One cohort of one breaker: its state and the switch holding it (its window is in BreakerWindows). */
export interface CohortState {
  breaker: string;
  key: string;
  tenantId: string;
  agentId?: string;
  state: BreakerStateName;
  switchId: string | null;
  since: number;
  trips: number;
}

/** A cohort's state as stored, shared by every instance (the window is kept apart). */
export interface StoredCohortState {
  breaker: string;
  key: string;
  state: BreakerStateName;
  switchId: string | null;
  since: Date;
  trips: number;
}

/** One measurement an event yields for the breakers of its metric. */
export interface Signal {
  metric: BreakerMetric;
  agent: CohortMember;
  action?: string;
  observation: Observation;
}

/** Whether the breaker measures this signal: its metric, and a cohort (and action) covering it. */
export function measures(def: BreakerDefinition, signal: Signal): boolean {
  if (def.metric !== signal.metric || !selectorCoversAgent(def.cohort, signal.agent)) return false;
  return !(def.cohort.action && signal.action && !actionMatches(def.cohort.action, signal.action));
}

/** The cohort a signal falls in: per tenant, or per agent of a tenant. */
export function cohortKeyOf(def: BreakerDefinition, agent: CohortMember): string {
  return def.per === 'agent' ? `${agent.tenantId}/${agent.id}` : agent.tenantId;
}

/** A cohort seen for the first time: closed since now. */
export function newCohort(def: BreakerDefinition, agent: CohortMember, now: number): CohortState {
  return {
    breaker: def.name,
    key: cohortKeyOf(def, agent),
    tenantId: agent.tenantId,
    agentId: def.per === 'agent' ? agent.id : undefined,
    state: 'closed',
    switchId: null,
    since: now,
    trips: 0,
  };
}

/** A stored cohort brought back: its state and switch as stored. */
export function restoredCohort(stored: StoredCohortState): CohortState {
  const [tenantId, agentId] = stored.key.split('/');
  return {
    breaker: stored.breaker,
    key: stored.key,
    tenantId,
    agentId: agentId || undefined,
    state: stored.state,
    switchId: stored.switchId,
    since: new Date(stored.since).getTime(),
    trips: stored.trips,
  };
}

/** The cohort's selector of the breaker's switch: the definition's, narrowed to the cohort. */
export function cohortSelector(def: BreakerDefinition, c: CohortState): CohortSelector {
  return { ...def.trip.selector, tenantId: c.tenantId, ...(c.agentId ? { agentId: c.agentId } : {}) };
}

/** How a breaker's window is measured: a sum of values, a rate of hits, or a number of distinct keys. */
export type WindowMeasure = 'sum' | 'rate' | 'distinct';

export function windowMeasureOf(def: BreakerDefinition): WindowMeasure {
  switch (def.metric) {
    case 'deny_rate':
    case 'error_rate':
      return 'rate';
    case 'distinct_skus_repriced':
      return 'distinct';
    default:
      return 'sum';
  }
}

/** A trip the cohort's window calls for: the measured value above the limit of its state. */
export interface Trip {
  value: number;
  limit: number;
  reason: string;
}

/** The limit of the cohort's state: half-open measures under the stricter one. */
export function limitOf(def: BreakerDefinition, c: CohortState): number {
  return c.state === 'half_open' ? def.threshold * def.halfOpen.thresholdFactor : def.threshold;
}

/**
 * Whether the cohort's measured window (`value`, null below the minimum samples) trips it. An open
 * cohort is already stopped by its switch: it trips nothing.
 */
export function tripOf(def: BreakerDefinition, c: CohortState, value: number | null): Trip | null {
  if (c.state === 'open' || value === null) return null;
  const limit = limitOf(def, c);
  return value > limit ? { value, limit, reason: tripReason(def, c, value, limit) } : null;
}

/**
 * The stored states a trip may move from. A value above the closed limit trips from either; one
 * only above the half-open limit trips a cohort still half-open in the store, not one another
 * instance has closed meanwhile.
 */
export function tripsFrom(def: BreakerDefinition, trip: Trip): BreakerStateName[] {
  return trip.value > def.threshold ? ['closed', 'half_open'] : ['half_open'];
}

/** Names the limit that was crossed (half-open trips under the stricter one), at most 2000 characters. */
export function tripReason(def: BreakerDefinition, c: CohortState, value: number, limit: number): string {
  const crossed = `${round(limit)}${c.state === 'half_open' ? ' (half-open)' : ''}`;
  const reason = `${def.trip.reason ?? `breaker ${def.name} tripped`}: ${def.metric} ${round(value)} > ${crossed} within ${def.window / 1000}s (${describeSelector(cohortSelector(def, c))})`;
  return reason.slice(0, 2000);
}

/** The move a tick makes: open → half-open after the cool-down, half-open → closed after the probation. */
export function dueTransition(
  def: BreakerDefinition,
  c: CohortState,
  now: number,
): 'half_open' | 'closed' | null {
  if (c.state === 'open' && now - c.since >= def.coolDown) return 'half_open';
  if (c.state === 'half_open' && now - c.since >= def.halfOpen.probation) return 'closed';
  return null;
}

export function halfOpenReason(def: BreakerDefinition): string {
  return `breaker ${def.name} half-open after ${def.coolDown / 1000}s cool-down: ${Math.round(def.halfOpen.share * 100)}% of intents let through`;
}

/**
 * Decisions the platform made instead of the agent's policies: the switches' own refusals (they
 * must not keep a breaker tripping) and fail-closed answers (an overloaded platform must not halt
 * the agents it was too slow to answer).
 */
function saysNothingOfTheAgent(d: IntentDecidedV1): boolean {
  return d.decidedBy === 'killswitch' || d.decidedBy === 'breaker' || isFailClosed(d);
}

/**
 * The id of the agent whose signals an event may yield, when the event does not carry the agent
 * itself (undefined: no lookup needed).
 */
export function agentIdOf(event: EventEnvelope): string | undefined {
  switch (event.type) {
    case EventTypes.IntentDecided: {
      const d = event.data as IntentDecidedV1;
      return saysNothingOfTheAgent(d) ? undefined : d.agentId;
    }
    case EventTypes.OutcomeVerified:
      return (event.data as OutcomeVerifiedV1).agentId;
    case EventTypes.TelemetryRecorded:
      return (event.data as TelemetryRecordedV1).agentId;
    default:
      return undefined;
  }
}

/**
 * The signals an event yields, at its own time (`now` when it has none). Intents carry their
 * agent; the other events name it, and `agent` is the one the service knows by that id.
 */
export function signalsOf(event: EventEnvelope, agent: CohortMember | undefined, now: number): Signal[] {
  const at = Date.parse(event.time) || now;
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
      if (saysNothingOfTheAgent(d)) return [];
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
      return agent
        ? [{ metric: 'verification_violations', agent, observation: { at, value: d.violation ? 1 : 0 } }]
        : [];
    }
    case EventTypes.TelemetryRecorded: {
      const d = event.data as TelemetryRecordedV1;
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

/** `params.discountValue`, or `previousPrice - price` when both are given. */
export function discountOf(params: Record<string, unknown>): number {
  if (typeof params['discountValue'] === 'number') return params['discountValue'];
  const prev = params['previousPrice'];
  const price = params['price'];
  return typeof prev === 'number' && typeof price === 'number' && prev > price ? prev - price : 0;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
