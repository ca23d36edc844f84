import { AgentIdentity } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { Clock } from '@agentops/service-runtime';
import { Injectable } from '@nestjs/common';
import { KnownAgentRepository } from './known-agent-repository';

/**
 * Agents learnt from the intents they propose, kept in memory and stored through the
 * KnownAgentRepository at most once a minute per agent (by the Clock), or at once when its
 * cohort facts change.
 */
@Injectable()
export class KnownAgents {
  private readonly seen = new Map<string, { at: number; fingerprint: string }>();
  private readonly facts = new Map<string, CohortMember>();
  static readonly REFRESH_MS = 60_000;

  constructor(
    private readonly repository: KnownAgentRepository,
    private readonly clock: Clock,
  ) {}

  async observe(agent: AgentIdentity, at: string): Promise<void> {
    const fingerprint = `${agent.tenantId}|${agent.role}|${agent.version}|${agent.region}`;
    const last = this.seen.get(agent.id);
    if (
      last &&
      last.fingerprint === fingerprint &&
      this.clock.now().getTime() - last.at < KnownAgents.REFRESH_MS
    )
      return;
    this.facts.set(agent.id, cohortMemberOf(agent));
    await this.repository.upsert(agent, at);
    this.seen.set(agent.id, { at: this.clock.now().getTime(), fingerprint });
    this.facts.set(agent.id, cohortMemberOf(agent));
  }

  /** An agent's cohort facts for signals that carry only its id (decisions, verifications, telemetry). */
  async find(agentId: string): Promise<CohortMember | undefined> {
    const cached = this.facts.get(agentId);
    if (cached) return cached;
    const found = await this.repository.find(agentId);
    if (found) this.facts.set(agentId, found);
    return found;
  }

  all(tenantId?: string): Promise<CohortMember[]> {
    return this.repository.all(tenantId);
  }
}

function cohortMemberOf(agent: AgentIdentity): CohortMember {
  return {
    id: agent.id,
    tenantId: agent.tenantId,
    role: agent.role,
    version: agent.version,
    region: agent.region,
  };
}
