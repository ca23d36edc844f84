import { CohortMember } from '@agentops/cohort-selector';

/** The agents the killswitch service has learnt, in memory. */
export class AgentDirectory {
  private readonly agents = new Map<string, CohortMember>();

  add(agent: CohortMember): CohortMember {
    this.agents.set(agent.id, agent);
    return agent;
  }

  async find(id: string) {
    return this.agents.get(id);
  }

  async all(tenantId?: string) {
    return [...this.agents.values()].filter((a) => tenantId === undefined || a.tenantId === tenantId);
  }
}
