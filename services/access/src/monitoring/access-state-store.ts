import type { AgentSnapshot, CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1, AccessSeverityName, EventEnvelope } from '@agentops/contracts';
import { KEYSET_TIME, Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { z } from 'zod';

export type AnomalyEnvelope = EventEnvelope<AccessAnomalyDetectedV1>;

/** One agent's persisted monitoring state: the truth a restart or a rebalance resumes from. */
export interface AgentAccessRow {
  agentId: string;
  tenantId: string;
  /** Incremented on every write: an instance holding an older copy in memory reloads it. */
  seq: number;
  state: AgentSnapshot;
  /** The last offset applied, per `<topic>/<partition>`. */
  offsets: Record<string, string>;
  /** The agent reports its reads (`recordDataAccess`): its intents' dataUsed is then not counted again. */
  reportsAccess: boolean;
}

/** What a judgement writes for one agent: its new row and the anomalies it raised. */
export interface AgentUpdate {
  row: AgentAccessRow;
  anomalies: AnomalyEnvelope[];
}

export interface AnomalyQuery {
  /** Absent: every tenant (the platform operator). */
  tenantId?: string;
  agentId?: string;
  severity?: AccessSeverityName;
}

/** Anomalies newest first: by detection time, then id. */
export const ANOMALIES_KEYSET = new Keyset(z.tuple([KEYSET_TIME, z.string().uuid()]));
/** Agents' rows by agent id. */
export const ACCESS_AGENTS_KEYSET = new Keyset(z.tuple([z.string().min(1).max(200)]));

/** The access service's state in its own schema (a port: PostgreSQL in the service, memory in specs). */
export abstract class AccessStateStore {
  /**
   * Runs `judge` with the agents' rows locked (an agent never seen has none) and writes what it
   * returns, every agent's row and every anomaly, in one transaction; agents it returns nothing
   * for are left as they are.
   */
  abstract updateAgents(
    agentIds: readonly string[],
    judge: (rows: ReadonlyMap<string, AgentAccessRow>) => AgentUpdate[],
  ): Promise<AgentUpdate[]>;
  abstract agentRow(agentId: string): Promise<AgentAccessRow | undefined>;
  /** A page of the agents' rows of a tenant (undefined: every tenant), by agent id. */
  abstract agentRows(
    tenantId: string | undefined,
    agentId: string | undefined,
    page: PageRequest,
  ): Promise<Page<AgentAccessRow>>;
  abstract saveCohorts(cohorts: Record<string, CohortBaselines>): Promise<void>;
  abstract loadCohorts(): Promise<Record<string, CohortBaselines>>;
  /** Anomalies not yet published, created before `before` (oldest first). */
  abstract unpublished(before: Date, limit: number): Promise<AnomalyEnvelope[]>;
  /** Stores the envelopes as sent (with their quarantine, once the switch is flipped). */
  abstract markPublished(envelopes: readonly AnomalyEnvelope[], at: Date): Promise<void>;
  /** Stores the envelopes with the switch that quarantined their agent. */
  abstract recordQuarantine(envelopes: readonly AnomalyEnvelope[]): Promise<void>;
  /** The switch that quarantined the agent at or after `since`, if any. */
  abstract recentQuarantine(agentId: string, since: Date): Promise<string | undefined>;
  /** A page of the anomalies, newest first. */
  abstract anomalies(query: AnomalyQuery, page: PageRequest): Promise<Page<AccessAnomalyDetectedV1>>;
}
