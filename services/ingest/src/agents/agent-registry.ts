import { AgentIdentity, AgentScopes } from '@agentops/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AgentEntity, ApiKeyEntity } from '../persistence/agent.entity';
import { issueApiKey, parseApiKey, secretMatches } from './api-key';

export interface AgentRegistration {
  id: string;
  tenantId: string;
  name: string;
  role: AgentIdentity['role'];
  version: string;
  region: string;
  labels?: Record<string, string>;
  ownerTeam?: string;
  scopes?: AgentScopes;
}

/** The agent registry: identities and their hashed API keys. */
@Injectable()
export class AgentRegistry {
  private readonly agents: Repository<AgentEntity>;
  private readonly keys: Repository<ApiKeyEntity>;
  /** Authenticated keys, briefly: the hot path should not hit PostgreSQL on every intent. */
  private readonly cache = new Map<string, { identity: AgentIdentity; secretHash: string; at: number }>();
  private static readonly CACHE_MS = 30_000;

  constructor(dataSource: DataSource) {
    this.agents = dataSource.getRepository(AgentEntity);
    this.keys = dataSource.getRepository(ApiKeyEntity);
  }

  /** Creates the agent (or updates its labels) and issues a new key; returns the clear key once. */
  async register(reg: AgentRegistration): Promise<{ agent: AgentIdentity; apiKey: string }> {
    await this.agents.upsert(
      {
        id: reg.id,
        tenantId: reg.tenantId,
        name: reg.name,
        role: reg.role,
        version: reg.version,
        region: reg.region,
        labels: reg.labels ?? {},
        ownerTeam: reg.ownerTeam ?? null,
        scopes: reg.scopes ?? null,
      },
      ['id'],
    );
    const issued = issueApiKey();
    await this.keys.insert({
      keyId: issued.keyId,
      agentId: reg.id,
      secretHash: issued.secretHash,
      revokedAt: null,
    });
    return { agent: toIdentity(await this.agents.findOneByOrFail({ id: reg.id })), apiKey: issued.clearKey };
  }

  /** Replaces an agent's scopes (null restores the role default) and keeps the change history. */
  async setScopes(
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null> {
    const agent = await this.agents.findOneBy({ id: agentId });
    if (!agent) return null;
    await this.agents.manager.transaction(async (tx) => {
      await tx.update(AgentEntity, { id: agentId }, { scopes });
      await tx.query(`INSERT INTO agent_scope_changes (agent_id, scopes, changed_by) VALUES ($1, $2, $3)`, [
        agentId,
        scopes === null ? null : JSON.stringify(scopes),
        changedBy,
      ]);
    });
    this.cache.clear();
    return toIdentity({ ...agent, scopes });
  }

  async find(agentId: string): Promise<(AgentIdentity & { name: string; ownerTeam: string | null }) | null> {
    const agent = await this.agents.findOneBy({ id: agentId });
    return agent ? { ...toIdentity(agent), name: agent.name, ownerTeam: agent.ownerTeam } : null;
  }

  async list(tenantId?: string): Promise<AgentIdentity[]> {
    const rows = await this.agents.find({ where: tenantId ? { tenantId } : {}, order: { id: 'ASC' } });
    return rows.map(toIdentity);
  }

  /** Resolves a presented key to the agent it belongs to, or null (unknown, revoked, wrong secret). */
  async authenticate(presented: string): Promise<AgentIdentity | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const cached = this.cache.get(parsed.keyId);
    if (cached && Date.now() - cached.at < AgentRegistry.CACHE_MS) {
      return secretMatches(parsed.secret, cached.secretHash) ? cached.identity : null;
    }
    const key = await this.keys.findOneBy({ keyId: parsed.keyId, revokedAt: IsNull() });
    if (!key) return null;
    const agent = await this.agents.findOneBy({ id: key.agentId });
    if (!agent) return null;
    const identity = toIdentity(agent);
    this.cache.set(parsed.keyId, { identity, secretHash: key.secretHash, at: Date.now() });
    return secretMatches(parsed.secret, key.secretHash) ? identity : null;
  }
}

function toIdentity(a: AgentEntity): AgentIdentity {
  return {
    id: a.id,
    tenantId: a.tenantId,
    role: a.role as AgentIdentity['role'],
    version: a.version,
    region: a.region,
    labels: a.labels ?? {},
    ...(a.scopes ? { scopes: a.scopes } : {}),
  };
}
