import { AgentIdentity, AgentScopes } from '@agentops/contracts';
import { Clock, DomainError, Page, PageRequest, SystemClock } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IssuedApiKey, issueApiKey, keyIsUsable, parseApiKey, retirementOf, secretMatches } from './api-key';
import {
  AgentRegistration,
  AgentRepository,
  KeyRetirement,
  NewApiKey,
  PostgresAgentRepository,
  RegisteredAgent,
} from './agent-repository';

export type { AgentRegistration } from './agent-repository';

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

/**
 * Use case: the agent registry — identities, their scopes and their hashed API keys. It holds no
 * SQL (the AgentRepository does) and asks the Clock for the time.
 */
@Injectable()
export class AgentRegistry {
  /** Authenticated keys, briefly: the hot path should not hit PostgreSQL on every intent. */
  private readonly cache = new Map<
    string,
    { identity: AgentIdentity; secretHash: string; expiresAt: Date | null; at: number }
  >();
  static readonly CACHE_MS = 30_000;

  constructor(
    private readonly repository: AgentRepository,
    private readonly clock: Clock,
  ) {}

  /** The registry over PostgreSQL, outside Nest (seed, tools, tests and benches). */
  static of(dataSource: DataSource, clock: Clock = new SystemClock()): AgentRegistry {
    return new AgentRegistry(new PostgresAgentRepository(dataSource), clock);
  }

  /**
   * Creates the agent (or updates its labels, role, scopes) and issues a new key; returns the clear
   * key once. An agent is identified by (tenant, id): an id already registered by another tenant is
   * refused (AgentIdTaken) and nothing of that agent changes.
   */
  async register(reg: AgentRegistration): Promise<{ agent: AgentIdentity; apiKey: string }> {
    const issued = issueApiKey();
    const agent = await this.repository.register(reg, storable(issued));
    if (!agent) throw new AgentIdTaken(reg.id);
    return { agent, apiKey: issued.clearKey };
  }

  /** Replaces an agent's scopes (null restores the role default) and keeps the change history. */
  async setScopes(
    tenantId: string,
    agentId: string,
    scopes: AgentScopes | null,
    changedBy: string,
  ): Promise<AgentIdentity | null> {
    const agent = await this.repository.setScopes(tenantId, agentId, scopes, changedBy);
    // Every cached identity may carry the old scopes: the next use of any key reads them afresh.
    if (agent) this.cache.clear();
    return agent;
  }

  /**
   * Issues a new key and retires every key of the agent still working: at once for a grace of 0,
   * otherwise at now + grace (the old key keeps working meanwhile, so the agent can be redeployed
   * with the new one). Null for an agent unknown in the tenant. Rotations of one agent are serialised.
   */
  async rotateKey(tenantId: string, agentId: string, graceSeconds: number): Promise<KeyRotation | null> {
    const issued = issueApiKey();
    const now = this.clock.now();
    const done = await this.repository.rotateKeys(tenantId, agentId, storable(issued), (unrevoked) =>
      unrevoked
        .filter((k) => keyIsUsable(k, now))
        .map((k): KeyRetirement => ({ keyId: k.keyId, ...retirementOf(k, now, graceSeconds) })),
    );
    if (!done) return null;
    const retiredKeyIds = done.retired.map((k) => k.keyId);
    this.forget(retiredKeyIds);
    return {
      agent: done.agent,
      apiKey: issued.clearKey,
      keyId: issued.keyId,
      previousKeysExpireAt: lastExpiry(done.retired, now)?.toISOString() ?? null,
      retiredKeyIds,
    };
  }

  /** Drops keys from the authentication cache, so the next use reads their state from PostgreSQL. */
  forget(keyIds: readonly string[]): void {
    for (const keyId of keyIds) this.cache.delete(keyId);
  }

  /** The agent, if it is registered in `tenantId` (undefined: in any tenant, for platform principals). */
  find(agentId: string, tenantId?: string): Promise<RegisteredAgent | null> {
    return this.repository.find(agentId, tenantId);
  }

  list(tenantId: string | undefined, page: PageRequest): Promise<Page<AgentIdentity>> {
    return this.repository.list(tenantId, page);
  }

  /**
   * Resolves a presented key to the agent it belongs to, or null (unknown, revoked, expired, wrong
   * secret). A cached key is still checked against its expiry; rotations drop their keys from the
   * cache (here, and on the other instances through KeyRetirementFeed).
   */
  async authenticate(presented: string): Promise<AgentIdentity | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;
    const now = this.clock.now();
    const cached = this.cache.get(parsed.keyId);
    if (cached && now.getTime() - cached.at < AgentRegistry.CACHE_MS) {
      if (!keyIsUsable({ revokedAt: null, expiresAt: cached.expiresAt }, now)) return null;
      return secretMatches(parsed.secret, cached.secretHash) ? cached.identity : null;
    }
    const found = await this.repository.activeKey(parsed.keyId);
    if (!found || !keyIsUsable(found.key, now)) return null;
    this.cache.set(parsed.keyId, {
      identity: found.agent,
      secretHash: found.key.secretHash,
      expiresAt: found.key.expiresAt,
      at: now.getTime(),
    });
    return secretMatches(parsed.secret, found.key.secretHash) ? found.agent : null;
  }
}

/** What of an issued key is stored: never the clear key. */
function storable({ keyId, secretHash }: IssuedApiKey): NewApiKey {
  return { keyId, secretHash };
}

/** When the last of the retired keys stops working (a key revoked at once: at its revocation). */
function lastExpiry(retired: readonly KeyRetirement[], now: Date): Date | null {
  let last: Date | null = null;
  for (const r of retired) {
    const at = r.revokedAt ?? r.expiresAt ?? now;
    if (!last || at > last) last = at;
  }
  return last;
}

/** Registering an id that another tenant already holds: a 409 that does not name the tenant. */
export class AgentIdTaken extends DomainError<'conflict'> {
  constructor(readonly agentId: string) {
    super('conflict', `agent id ${agentId} is already registered`);
  }
}
