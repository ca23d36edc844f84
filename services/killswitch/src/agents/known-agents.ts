import { AgentIdentity } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Agents learnt from the intents they propose; refreshed at most once a minute per agent. */
@Injectable()
export class KnownAgents {
  private readonly seen = new Map<string, { at: number; fingerprint: string }>();
  private readonly facts = new Map<string, CohortMember>();
  private static readonly REFRESH_MS = 60_000;

  constructor(private readonly dataSource: DataSource) {}

  async observe(agent: AgentIdentity, at: string): Promise<void> {
    const fingerprint = `${agent.tenantId}|${agent.role}|${agent.version}|${agent.region}`;
    const last = this.seen.get(agent.id);
    if (last && last.fingerprint === fingerprint && Date.now() - last.at < KnownAgents.REFRESH_MS) return;
    this.facts.set(agent.id, {
      id: agent.id,
      tenantId: agent.tenantId,
      role: agent.role,
      version: agent.version,
      region: agent.region,
    });
    await this.dataSource.query(
      `INSERT INTO known_agents (agent_id, tenant_id, role, version, region, last_seen) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (agent_id) DO UPDATE SET tenant_id = EXCLUDED.tenant_id, role = EXCLUDED.role, version = EXCLUDED.version,
         region = EXCLUDED.region, last_seen = GREATEST(known_agents.last_seen, EXCLUDED.last_seen)`,
      [agent.id, agent.tenantId, agent.role, agent.version, agent.region, at],
    );
    this.seen.set(agent.id, { at: Date.now(), fingerprint });
    this.facts.set(agent.id, {
      id: agent.id,
      tenantId: agent.tenantId,
      role: agent.role,
      version: agent.version,
      region: agent.region,
    });
  }

  /** An agent's cohort facts for signals that carry only its id (decisions, verifications, telemetry). */
  async find(agentId: string): Promise<CohortMember | undefined> {
    const cached = this.facts.get(agentId);
    if (cached) return cached;
    const rows = (await this.dataSource.query(
      `SELECT agent_id AS id, tenant_id AS "tenantId", role, version, region FROM known_agents WHERE agent_id = $1`,
      [agentId],
    )) as CohortMember[];
    if (rows[0]) this.facts.set(agentId, rows[0]);
    return rows[0];
  }

  async all(tenantId?: string): Promise<CohortMember[]> {
    return (await this.dataSource.query(
      `SELECT agent_id AS id, tenant_id AS "tenantId", role, version, region FROM known_agents ${tenantId !== undefined ? 'WHERE tenant_id = $1' : ''}`,
      tenantId !== undefined ? [tenantId] : [],
    )) as CohortMember[];
  }
}
