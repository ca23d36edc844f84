/** Test doubles for the agent registry: agents, scope history and API keys in memory. */
import { AgentIdentity, AgentScopes } from '@agentops/contracts';
import { Page, PageRequest } from '@agentops/service-runtime';
import {
  AGENTS_KEYSET,
  AgentRegistration,
  AgentRepository,
  KeyRetirement,
  NewApiKey,
  RegisteredAgent,
  StoredApiKey,
} from '../agent-repository';

/** Agents and keys in memory, behind the same port as the PostgreSQL repository (same rules). */
export class InMemoryAgentRepository extends AgentRepository {
  readonly agents = new Map<string, RegisteredAgent>();
  readonly keys = new Map<string, StoredApiKey>();
  /** Every scope change, in order, as `agent_scope_changes` keeps them. */
  readonly scopeChanges: { agentId: string; scopes: AgentScopes | null; changedBy: string }[] = [];
  /** How many times a key was read for authentication (the cache's witness). */
  keyReads = 0;

  async register(reg: AgentRegistration, key: NewApiKey): Promise<AgentIdentity | null> {
    const held = this.agents.get(reg.id);
    if (held && held.tenantId !== reg.tenantId) return null;
    const agent: RegisteredAgent = {
      id: reg.id,
      tenantId: reg.tenantId,
      role: reg.role,
      version: reg.version,
      region: reg.region,
      labels: reg.labels ?? {},
      ...(reg.scopes ? { scopes: reg.scopes } : {}),
      name: reg.name,
      ownerTeam: reg.ownerTeam ?? null,
    };
    this.agents.set(reg.id, agent);
    this.storeKey(reg.id, key);
    return identityOf(agent);
  }

  async find(agentId: string, tenantId?: string): Promise<RegisteredAgent | null> {
    const agent = this.agents.get(agentId);
    return agent && (tenantId === undefined || agent.tenantId === tenantId) ? { ...agent } : null;
  }

  async list(tenantId: string | undefined, page: PageRequest): Promise<Page<AgentIdentity>> {
    const after = AGENTS_KEYSET.after(page);
    const rows = [...this.agents.values()]
      .filter((a) => (!tenantId || a.tenantId === tenantId) && (!after || a.id > after[0]))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, page.limit + 1)
      .map(identityOf);
    return AGENTS_KEYSET.page(rows, page.limit, (a) => [a.id]);
  }

  async setScopes(
    tenantId: string,
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null> {
    const agent = await this.find(agentId, tenantId);
    if (!agent) return null;
    const { scopes: _old, ...rest } = agent;
    const changed: RegisteredAgent = { ...rest, ...(scopes ? { scopes } : {}) };
    this.agents.set(agentId, changed);
    this.scopeChanges.push({ agentId, scopes, changedBy });
    return identityOf(changed);
  }

  async rotateKeys(
    tenantId: string,
    agentId: string,
    key: NewApiKey,
    retire: (unrevoked: StoredApiKey[]) => KeyRetirement[],
  ): Promise<{ agent: AgentIdentity; retired: KeyRetirement[] } | null> {
    const agent = await this.find(agentId, tenantId);
    if (!agent) return null;
    const unrevoked = [...this.keys.values()].filter((k) => k.agentId === agentId && k.revokedAt === null);
    const retired = retire(unrevoked.map((k) => ({ ...k })));
    for (const r of retired) {
      const stored = this.keys.get(r.keyId)!;
      this.keys.set(r.keyId, { ...stored, revokedAt: r.revokedAt, expiresAt: r.expiresAt });
    }
    this.storeKey(agentId, key);
    return { agent: identityOf(agent), retired };
  }

  async activeKey(keyId: string): Promise<{ key: StoredApiKey; agent: AgentIdentity } | null> {
    this.keyReads++;
    const key = this.keys.get(keyId);
    if (!key || key.revokedAt !== null) return null;
    const agent = this.agents.get(key.agentId);
    return agent ? { key: { ...key }, agent: identityOf(agent) } : null;
  }

  private storeKey(agentId: string, key: NewApiKey): void {
    this.keys.set(key.keyId, { ...key, agentId, revokedAt: null, expiresAt: null });
  }
}

function identityOf({ name: _n, ownerTeam: _t, ...identity }: RegisteredAgent): AgentIdentity {
  return identity;
}
