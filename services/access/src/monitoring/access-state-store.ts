import type { AgentSnapshot, CohortBaselines } from '@agentops/access-anomaly';
import type { AccessAnomalyDetectedV1, AccessSeverityName, EventEnvelope } from '@agentops/contracts';

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

/** What a judgement of one event writes: the agent's new row and the anomalies it raised. */
export interface AgentUpdate {
  row: AgentAccessRow;
  anomalies: AnomalyEnvelope[];
}

export interface AnomalyQuery {
  /** Absent: every tenant (the platform operator). */
  tenantId?: string;
  agentId?: string;
  severity?: AccessSeverityName;
  /** Newest first, strictly older than this position (`detectedAt`, `anomalyId`). */
  after?: [string, string];
  limit: number;
}

/** The access service's state in its own schema (a port: PostgreSQL in the service, memory in specs). */
export abstract class AccessStateStore {
  /**
   * Runs `judge` with the agent's row locked (undefined for an agent never seen) and writes what it
   * returns, the row and its anomalies, in one transaction; `null` writes nothing.
   */
  abstract update(
    agentId: string,
    judge: (row: AgentAccessRow | undefined) => AgentUpdate | null,
  ): Promise<AgentUpdate | null>;
  abstract agentRow(agentId: string): Promise<AgentAccessRow | undefined>;
  abstract agentRows(tenantId: string | undefined, agentId?: string): Promise<AgentAccessRow[]>;
  abstract saveCohorts(cohorts: Record<string, CohortBaselines>): Promise<void>;
  abstract loadCohorts(): Promise<Record<string, CohortBaselines>>;
  /** Anomalies not yet published, created before `before` (oldest first). */
  abstract unpublished(before: Date, limit: number): Promise<AnomalyEnvelope[]>;
  /** Stores the envelope as sent (with its quarantine, once the switch is flipped). */
  abstract markPublished(envelope: AnomalyEnvelope, at: Date): Promise<void>;
  abstract recordQuarantine(envelope: AnomalyEnvelope): Promise<void>;
  /** The switch that quarantined the agent at or after `since`, if any. */
  abstract recentQuarantine(agentId: string, since: Date): Promise<string | undefined>;
  abstract anomalies(query: AnomalyQuery): Promise<AccessAnomalyDetectedV1[]>;
}
