/**
 * Test doubles for the breaker engine (its unit and integration tests): breaker states, kill
 * switches and known agents in memory, and the signals it measures built as the killswitch service receives them.
 */
import { AgentRole, CohortSelector, EventEnvelope, EventTypes } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { createEvent, newEventId } from '@agentops/messaging';
import { DecisionBody } from '@agentops/decisions';
import { Clock, ReadinessRegistry } from '@agentops/service-runtime';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { KnownAgents } from '../../agents/known-agents';
import { AgentDirectory } from '../../agents/testing/agent-doubles';

export { AgentDirectory };
import { BreakerEngine } from '../breaker-engine';
import { BreakerRepository, CohortMove, moveApplies } from '../breaker-repository';
import { BreakerWindows, MemoryBreakerWindows } from '../breaker-windows';
import { StoredCohortState } from '../breaker-state';
import { KillswitchConfig } from '../../config';
import { SwitchCommands } from '../../switches/switch-commands';

/** The shipped breaker definitions (policies/breakers), as the killswitch service loads them. */
export const SHIPPED_BREAKERS = resolve(__dirname, '../../../../../policies/breakers');

export type SwitchCall =
  | { op: 'flip'; id: string; actor: string; selector: CohortSelector; reason: string; passRatio?: number }
  | { op: 'release'; id: string; actor: string; reason: string };

/** Kill switches in memory: what a breaker flipped and released, in order. */
export class RecordingSwitches {
  readonly calls: SwitchCall[] = [];
  private n = 0;

  async flipAs(actor: string, selector: CohortSelector, reason: string, extra: { passRatio?: number } = {}) {
    const id = `switch-${++this.n}`;
    this.calls.push({ op: 'flip', id, actor, selector, reason, passRatio: extra.passRatio });
    return { id };
  }

  async release(_principal: unknown, id: string, reason: string, actor: string) {
    this.calls.push({ op: 'release', id, actor, reason });
    return { id };
  }

  get flips() {
    return this.calls.filter((c) => c.op === 'flip');
  }
}

/** Breaker states in memory, behind the same port as the PostgreSQL repository. */
export class InMemoryBreakerRepository extends BreakerRepository {
  /** The stored rows by breaker and cohort, with the value that last tripped each. */
  readonly rows = new Map<string, StoredCohortState & { lastValue: number | null }>();
  /** Every move made, in order. */
  readonly saves: { state: StoredCohortState; lastValue: number | null }[] = [];

  constructor(initial: (StoredCohortState & { lastValue?: number | null })[] = []) {
    super();
    for (const r of initial) this.rows.set(`${r.breaker}\u0000${r.key}`, { lastValue: null, ...r });
  }

  async unsettled(): Promise<StoredCohortState[]> {
    return [...this.rows.values()]
      .filter((r) => r.state !== 'closed')
      .map(({ lastValue: _lastValue, ...r }) => ({ ...r }));
  }

  async move(move: CohortMove): Promise<StoredCohortState | null> {
    const id = `${move.breaker}\u0000${move.key}`;
    const { lastValue: stored = null, ...current } = this.rows.get(id) ?? {
      breaker: move.breaker,
      key: move.key,
      state: 'closed' as const,
      switchId: null,
      since: new Date(0),
      trips: 0,
    };
    if (!moveApplies(move, current)) return null;
    const state = move.to(current);
    this.saves.push({ state: { ...state }, lastValue: move.lastValue });
    this.rows.set(id, { ...state, lastValue: move.lastValue ?? stored });
    return current;
  }

  row(breaker: string, key: string) {
    return this.rows.get(`${breaker}\u0000${key}`);
  }
}

/** A BreakerEngine over the given repository, windows (in memory unless given), switches, agents and clock. */
export function breakerEngine(deps: {
  repository: BreakerRepository;
  windows?: BreakerWindows;
  switches: RecordingSwitches;
  agents: AgentDirectory;
  clock: Clock;
  dir?: string;
}): BreakerEngine {
  const logger = { info: () => undefined, warn: () => undefined } as unknown as Logger;
  return new BreakerEngine(
    deps.repository,
    deps.windows ?? new MemoryBreakerWindows(),
    deps.agents as unknown as KnownAgents,
    deps.switches as unknown as SwitchCommands,
    { add: () => undefined } as unknown as ReadinessRegistry,
    deps.clock,
    { BREAKERS_DIR: deps.dir ?? SHIPPED_BREAKERS, BREAKER_TICK_MS: 1000 } as KillswitchConfig,
    logger,
  );
}

const SOURCE = 'agentops/test';

/** The signals breakers measure, as the killswitch service receives them. */
export const signals = {
  intent(
    agent: CohortMember,
    at: number,
    sku: string,
    params: Record<string, unknown> = {},
    action = 'pricing.set_price',
  ): EventEnvelope {
    const intentId = newEventId();
    return createEvent(
      EventTypes.IntentProposed,
      {
        intentId,
        action,
        target: { type: 'sku', id: sku },
        params: { sku, ...params },
        confidence: 0.9,
        justification: 'breaker test',
        dataUsed: [],
        agent: { ...agent, role: agent.role as AgentRole, labels: {} },
        proposedAt: new Date(at).toISOString(),
      },
      { id: intentId, source: SOURCE, tenantid: agent.tenantId, agentid: agent.id, time: new Date(at) },
    );
  },
  decided(
    agent: CohortMember,
    at: number,
    verdict: 'allow' | 'deny',
    decidedBy: 'policy' | 'killswitch' | 'breaker' = 'policy',
  ): EventEnvelope {
    return signals.decidedAs(agent, at, { verdict, reasons: [], obligations: [], decidedBy });
  },
  /** A decision made by one of the platform's factories (`failClosedDenial`, `deadlineDenial`, ...). */
  decidedAs(agent: CohortMember, at: number, body: DecisionBody): EventEnvelope {
    return createEvent(
      EventTypes.IntentDecided,
      {
        intentId: newEventId(),
        agentId: agent.id,
        action: 'service.send_message',
        ...body,
        decidedAt: new Date(at).toISOString(),
        expiresAt: new Date(at + 60_000).toISOString(),
      },
      { source: SOURCE, tenantid: agent.tenantId, agentid: agent.id, time: new Date(at) },
    );
  },
  verified(agent: CohortMember, at: number, violation: boolean): EventEnvelope {
    return createEvent(
      EventTypes.OutcomeVerified,
      {
        intentId: newEventId(),
        outcomeId: newEventId(),
        agentId: agent.id,
        violation,
        differences: [],
        verifiedAt: new Date(at).toISOString(),
      },
      { source: SOURCE, tenantid: agent.tenantId, agentid: agent.id, time: new Date(at) },
    );
  },
  telemetry(
    agent: CohortMember,
    at: number,
    kind: 'model_call' | 'tool_call' | 'data_access' | 'error',
    extra: { records?: number; dataClasses?: string[] } = {},
  ): EventEnvelope {
    return createEvent(
      EventTypes.TelemetryRecorded,
      {
        kind,
        name: 'crm.lookup',
        dataClasses: [],
        attributes: {},
        ...extra,
        agentId: agent.id,
        recordedAt: new Date(at).toISOString(),
      },
      { source: SOURCE, tenantid: agent.tenantId, agentid: agent.id, time: new Date(at) },
    );
  },
};
