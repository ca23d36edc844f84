import { AgentIdentity } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Where the agents the killswitch service has learnt from intents live (`killswitch.known_agents`). */
export abstract class KnownAgentRepository {
  /** Stores the agent's cohort facts as of `seenAt` (last_seen never moves back). */
  abstract upsert(agent: AgentIdentity, seenAt: string): Promise<void>;
  abstract find(agentId: string): Promise<CohortMember | undefined>;
  /** Every known agent of a tenant (undefined: of every tenant). */
  abstract all(tenantId?: string): Promise<CohortMember[]>;
}

/** The only place that speaks SQL about known agents. */
@Injectable()
export class PostgresKnownAgentRepository extends KnownAgentRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async upsert(agent: AgentIdentity, seenAt: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO known_agents (agent_id, tenant_id, role, version, region, last_seen) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agent_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, role = EXCLUDED.role, version = EXCLUDED.version,
         region = EXCLUDED.region, last_seen = GREATEST(known_agents.last_seen, EXCLUDED.last_seen)`,
      [agent.id, agent.tenantId, agent.role, agent.version, agent.region, seenAt],
    );
  }

  async find(agentId: string): Promise<CohortMember | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT agent_id AS id, tenant_id AS "tenantId", role, version, region FROM known_agents WHERE agent_id = $1`,
      [agentId],
    )) as CohortMember[];
    return rows[0];
  }

  async all(tenantId?: string): Promise<CohortMember[]> {
    return (await this.dataSource.query(
      `SELECT agent_id AS id, tenant_id AS "tenantId", role, version, region FROM known_agents ${tenantId !== undefined ? 'WHERE tenant_id = $1' : ''}`,
      tenantId !== undefined ? [tenantId] : [],
    )) as CohortMember[];
  }
}
