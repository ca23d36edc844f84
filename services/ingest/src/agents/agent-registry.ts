import { AgentIdentity, AgentScopes } from '@agentops/contracts';
import { DomainError } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AgentEntity, ApiKeyEntity } from '../persistence/agent.entity';
import { issueApiKey, keyIsUsable, parseApiKey, retirementOf, secretMatches } from './api-key';

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

export interface KeyRotation {
  agent: AgentIdentity;
  /** The new key, shown once. */
  apiKey: string;
  keyId: string;
  /** When the previous keys stop working (now for a grace of 0); null if the agent had none active. */
  previousKeysExpireAt: string | null;
  /** Key ids of the keys this rotation retired. */
  retiredKeyIds: string[];
}

/** The agent registry: identities and their hashed API keys. */
@Injectable()
export class AgentRegistry {
  private readonly agents: Repository<AgentEntity>;
  private readonly keys: Repository<ApiKeyEntity>;
  /** Authenticated keys, briefly: the hot path should not hit PostgreSQL on every intent. */
  private readonly cache = new Map<
    string,
    { identity: AgentIdentity; secretHash: string; expiresAt: Date | null; at: number }
  >();
  private static readonly CACHE_MS = 30_000;

  constructor(dataSource: DataSource) {
    this.agents = dataSource.getRepository(AgentEntity);
    this.keys = dataSource.getRepository(ApiKeyEntity);
  }

  /**
   * Creates the agent (or updates its labels, role, scopes) and issues a new key; returns the clear
   * key once. An agent is identified by (tenant, id): an id already registered by another tenant is
   * refused (AgentIdTaken) and nothing of that agent changes. The conflict check is the upsert's own
   * `WHERE`, so two tenants racing for one id cannot both win.
   */
  async register(reg: AgentRegistration): Promise<{ agent: AgentIdentity; apiKey: string }> {
    const issued = issueApiKey();
    const agent = await this.agents.manager.transaction(async (tx) => {
      const rows: AgentRow[] = await tx.query(
        `INSERT INTO agents (id, tenant_id, name, role, version, region, labels, owner_team, scopes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role, version = EXCLUDED.version,
           region = EXCLUDED.region, labels = EXCLUDED.labels, owner_team = EXCLUDED.owner_team, scopes = EXCLUDED.scopes
         WHERE agents.tenant_id = EXCLUDED.tenant_id
         RETURNING id, tenant_id, role, version, region, labels, scopes`,
        [
          reg.id,
          reg.tenantId,
          reg.name,
          reg.role,
          reg.version,
          reg.region,
          JSON.stringify(reg.labels ?? {}),
          reg.ownerTeam ?? null,
          reg.scopes ? JSON.stringify(reg.scopes) : null,
        ],
      );
      if (rows.length === 0) throw new AgentIdTaken(reg.id);
      await tx.insert(ApiKeyEntity, {
        keyId: issued.keyId,
        agentId: reg.id,
        secretHash: issued.secretHash,
        revokedAt: null,
        expiresAt: null,
      });
      return toIdentity({ ...rows[0], tenantId: rows[0].tenant_id });
    });
    return { agent, apiKey: issued.clearKey };
  }

  /** Replaces an agent's scopes (null restores the role default) and keeps the change history. */
  async setScopes(
    tenantId: string,
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null> {
    const agent = await this.agents.findOneBy({ id: agentId, tenantId });
    if (!agent) return null;
    await this.agents.manager.transaction(async (tx) => {
      await tx.update(AgentEntity, { id: agentId, tenantId }, { scopes });
      await tx.query(`INSERT INTO agent_scope_changes (agent_id, scopes, changed_by) VALUES ($1, $2, $3)`, [
        agentId,
        scopes === null ? null : JSON.stringify(scopes),
        changedBy,
      ]);
    });
    this.cache.clear();
    return toIdentity({ ...agent, scopes });
  }

  /**
   * Issues a new key and retires every key of the agent still working: at once for a grace of 0,
   * otherwise at now + grace (the old key keeps working meanwhile, so the agent can be redeployed
   * with the new one). Null for an agent unknown in the tenant. Rotations of one agent are serialised.
   */
  async rotateKey(
    tenantId: string,
    agentId: string,
    graceSeconds: number,
    now = new Date(),
  ): Promise<KeyRotation | null> {
    const issued = issueApiKey();
    const done = await this.agents.manager.transaction(async (tx) => {
      const agent = await tx
        .getRepository(AgentEntity)
        .findOne({ where: { id: agentId, tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!agent) return null;
      const working = (await tx.getRepository(ApiKeyEntity).findBy({ agentId, revokedAt: IsNull() })).filter(
        (k) => keyIsUsable(k, now),
      );
      let lastExpiry: Date | null = null;
      for (const key of working) {
        const retired = retirementOf(key, now, graceSeconds);
        await tx.update(ApiKeyEntity, { keyId: key.keyId }, retired);
        const at = retired.revokedAt ?? retired.expiresAt ?? now;
        if (!lastExpiry || at > lastExpiry) lastExpiry = at;
      }
      await tx.insert(ApiKeyEntity, {
        keyId: issued.keyId,
        agentId,
        secretHash: issued.secretHash,
        revokedAt: null,
        expiresAt: null,
      });
      return { agent, retiredKeyIds: working.map((k) => k.keyId), lastExpiry };
    });
    if (!done) return null;
    this.forget(done.retiredKeyIds);
    return {
      agent: toIdentity(done.agent),
      apiKey: issued.clearKey,
      keyId: issued.keyId,
      previousKeysExpireAt: done.lastExpiry?.toISOString() ?? null,
      retiredKeyIds: done.retiredKeyIds,
    };
  }

  /** Drops keys from the authentication cache, so the next use reads their state from PostgreSQL. */
  forget(keyIds: readonly string[]): void {
    for (const keyId of keyIds) this.cache.delete(keyId);
  }

  /** The agent, if it is registered in `tenantId` (undefined: in any tenant, for platform principals). */
  async find(
    agentId: string,
    tenantId?: string,
  ): Promise<(AgentIdentity & { name: string; ownerTeam: string | null }) | null> {
    const agent = await this.agents.findOneBy(
      tenantId === undefined ? { id: agentId } : { id: agentId, tenantId },
    );
    return agent ? { ...toIdentity(agent), name: agent.name, ownerTeam: agent.ownerTeam } : null;
  }

  async list(tenantId?: string): Promise<AgentIdentity[]> {
    const rows = await this.agents.find({ where: tenantId ? { tenantId } : {}, order: { id: 'ASC' } });
    return rows.map(toIdentity);
  }

  /**
   * Resolves a presented key to the agent it belongs to, or null (unknown, revoked, expired, wrong
   * secret). A cached key is still checked against its expiry; rotations drop their keys from the
   * cache (here, and on the other instances through KeyRetirementFeed).
   */
  async authenticate(presented: string, now = new Date()): Promise<AgentIdentity | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const cached = this.cache.get(parsed.keyId);
    if (cached && now.getTime() - cached.at < AgentRegistry.CACHE_MS) {
      if (!keyIsUsable({ revokedAt: null, expiresAt: cached.expiresAt }, now)) return null;
      return secretMatches(parsed.secret, cached.secretHash) ? cached.identity : null;
    }
    const key = await this.keys.findOneBy({ keyId: parsed.keyId, revokedAt: IsNull() });
    if (!key || !keyIsUsable(key, now)) return null;
    const agent = await this.agents.findOneBy({ id: key.agentId });
    if (!agent) return null;
    const identity = toIdentity(agent);
    this.cache.set(parsed.keyId, {
      identity,
      secretHash: key.secretHash,
      expiresAt: key.expiresAt,
      at: now.getTime(),
    });
    return secretMatches(parsed.secret, key.secretHash) ? identity : null;
  }
}

/** Registering an id that another tenant already holds: a 409 that does not name the tenant. */
export class AgentIdTaken extends DomainError<'conflict'> {
  constructor(readonly agentId: string) {
    super('conflict', `agent id ${agentId} is already registered`);
  }
}

type AgentRow = Pick<AgentEntity, 'id' | 'role' | 'version' | 'region' | 'labels' | 'scopes'> & {
  tenant_id: string;
};

function toIdentity(
  a: Pick<AgentEntity, 'id' | 'tenantId' | 'role' | 'version' | 'region' | 'labels' | 'scopes'>,
): AgentIdentity {
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
