import { AgentIdentity, AgentScopes } from '@agentops/contracts';
import { Keyset, Page, PageRequest } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { z } from 'zod';
import { AgentEntity, ApiKeyEntity } from '../persistence/agent.entity';
import { KeyValidity } from './api-key';

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

/** An agent as the registry stores it: its identity, its name and owning team. */
export type RegisteredAgent = AgentIdentity & { name: string; ownerTeam: string | null };

/** A stored API key: the digest of its secret, never the secret. */
export interface StoredApiKey extends KeyValidity {
  keyId: string;
  agentId: string;
  secretHash: string;
}

/** A key to store: its id and the digest of its secret. */
export interface NewApiKey {
  keyId: string;
  secretHash: string;
}

/** What a rotation decided for one of the agent's keys. */
export interface KeyRetirement extends KeyValidity {
  keyId: string;
}

/** Agents by id (unique across tenants). */
export const AGENTS_KEYSET = new Keyset(z.tuple([z.string().min(1).max(200)]));

/** Where agents, their scope history and their API keys live (`ingest.agents`, `api_keys`, `agent_scope_changes`). */
export abstract class AgentRepository {
  /**
   * Creates the agent (or updates its name, labels, role, version, region, team and scopes) and stores
   * `key` for it, in one transaction. Null when another tenant holds the id: then nothing changes
   * and no key is stored. The conflict check is part of the write, so two tenants racing for one id
   * cannot both win.
   */
  abstract register(reg: AgentRegistration, key: NewApiKey): Promise<AgentIdentity | null>;

  /** The agent, if it is registered in `tenantId` (undefined: in any tenant). */
  abstract find(agentId: string, tenantId?: string): Promise<RegisteredAgent | null>;

  /** A page of the agents of a tenant (undefined: of every tenant), by id. */
  abstract list(tenantId: string | undefined, page: PageRequest): Promise<Page<AgentIdentity>>;

  /**
   * Replaces the agent's scopes (null: the role's default) and records who changed them, in one
   * transaction. Null for an agent unknown in the tenant.
   */
  abstract setScopes(
    tenantId: string,
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null>;

  /**
   * A rotation, with the agent's row locked so rotations of one agent are serialised: hands the
   * agent's unrevoked keys to `retire`, stores what it decides for them and then stores `key`.
   * Null (and nothing stored) for an agent unknown in the tenant.
   */
  abstract rotateKeys(
    tenantId: string,
    agentId: string,
    key: NewApiKey,
    retire: (unrevoked: StoredApiKey[]) => KeyRetirement[],
  ): Promise<{ agent: AgentIdentity; retired: KeyRetirement[] } | null>;

  /** An unrevoked key with the agent it belongs to (expiry is the caller's to check); null if none. */
  abstract activeKey(keyId: string): Promise<{ key: StoredApiKey; agent: AgentIdentity } | null>;
}

/** The only place that speaks SQL about agents and their keys. */
@Injectable()
export class PostgresAgentRepository extends AgentRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  register(reg: AgentRegistration, key: NewApiKey): Promise<AgentIdentity | null> {
    return this.dataSource.transaction(async (tx) => {
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
      if (rows.length === 0) return null;
      await insertKey(tx, reg.id, key);
      return toIdentity({ ...rows[0], tenantId: rows[0].tenant_id });
    });
  }

  async find(agentId: string, tenantId?: string): Promise<RegisteredAgent | null> {
    const agent = await this.dataSource
      .getRepository(AgentEntity)
      .findOneBy(tenantId === undefined ? { id: agentId } : { id: agentId, tenantId });
    return agent ? { ...toIdentity(agent), name: agent.name, ownerTeam: agent.ownerTeam } : null;
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<AgentIdentity>> {
    const after = AGENTS_KEYSET.after(page);
    const rows = await this.dataSource.getRepository(AgentEntity).find({
      where: { ...(tenantId ? { tenantId } : {}), ...(after ? { id: MoreThan(after[0]) } : {}) },
      order: { id: 'ASC' },
      take: page.limit + 1,
    });
    return AGENTS_KEYSET.page(rows.map(toIdentity), page.limit, (a) => [a.id]);
  }

  async setScopes(
    tenantId: string,
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null> {
    const agent = await this.dataSource.getRepository(AgentEntity).findOneBy({ id: agentId, tenantId });
    if (!agent) return null;
    await this.dataSource.transaction(async (tx) => {
      await tx.update(AgentEntity, { id: agentId, tenantId }, { scopes });
      await tx.query(`INSERT INTO agent_scope_changes (agent_id, scopes, changed_by) VALUES ($1, $2, $3)`, [
        agentId,
        scopes === null ? null : JSON.stringify(scopes),
        changedBy,
      ]);
    });
    return toIdentity({ ...agent, scopes });
  }

  rotateKeys(
    tenantId: string,
    agentId: string,
    key: NewApiKey,
    retire: (unrevoked: StoredApiKey[]) => KeyRetirement[],
  ): Promise<{ agent: AgentIdentity; retired: KeyRetirement[] } | null> {
    return this.dataSource.transaction(async (tx) => {
      const agent = await tx
        .getRepository(AgentEntity)
        .findOne({ where: { id: agentId, tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!agent) return null;
      const unrevoked = await tx.getRepository(ApiKeyEntity).findBy({ agentId, revokedAt: IsNull() });
      const retired = retire(unrevoked.map(toStoredKey));
      for (const r of retired)
        await tx.update(ApiKeyEntity, { keyId: r.keyId }, { revokedAt: r.revokedAt, expiresAt: r.expiresAt });
      await insertKey(tx, agentId, key);
      return { agent: toIdentity(agent), retired };
    });
  }

  async activeKey(keyId: string): Promise<{ key: StoredApiKey; agent: AgentIdentity } | null> {
    const key = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyId, revokedAt: IsNull() });
    if (!key) return null;
    const agent = await this.dataSource.getRepository(AgentEntity).findOneBy({ id: key.agentId });
    return agent ? { key: toStoredKey(key), agent: toIdentity(agent) } : null;
  }
}

function insertKey(tx: EntityManager, agentId: string, key: NewApiKey) {
  return tx.insert(ApiKeyEntity, {
    keyId: key.keyId,
    agentId,
    secretHash: key.secretHash,
    revokedAt: null,
    expiresAt: null,
  });
}

type AgentRow = Pick<AgentEntity, 'id' | 'role' | 'version' | 'region' | 'labels' | 'scopes'> & {
  tenant_id: string;
};

function toStoredKey(k: ApiKeyEntity): StoredApiKey {
  return {
    keyId: k.keyId,
    agentId: k.agentId,
    secretHash: k.secretHash,
    revokedAt: k.revokedAt,
    expiresAt: k.expiresAt,
  };
}

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
