import { AgentIdentity } from '@agentops/contracts';
import { CohortMember } from '@agentops/cohort-selector';
import { ManualClock } from '@agentops/service-runtime';
import { KnownAgentRepository } from './known-agent-repository';
import { KnownAgents } from './known-agents';

/** Known agents in memory, counting the writes and reads that reach storage. */
class InMemoryKnownAgentRepository extends KnownAgentRepository {
  readonly rows = new Map<string, CohortMember & { lastSeen: string }>();
  upserts = 0;
  finds = 0;

  async upsert(a: AgentIdentity, seenAt: string) {
    this.upserts++;
    const lastSeen = [this.rows.get(a.id)?.lastSeen ?? '', seenAt].sort()[1];
    this.rows.set(a.id, {
      id: a.id,
      tenantId: a.tenantId,
      role: a.role,
      version: a.version,
      region: a.region,
      lastSeen,
    });
  }
  async find(id: string) {
    this.finds++;
    const row = this.rows.get(id);
    if (!row) return undefined;
    const { lastSeen: _l, ...member } = row;
    return member;
  }
  async all(tenantId?: string) {
    return [...this.rows.values()]
      .filter((r) => tenantId === undefined || r.tenantId === tenantId)
      .map(({ lastSeen: _l, ...m }) => m);
  }
}

const agent: AgentIdentity = {
  id: 'pricing-1',
  tenantId: 'maison',
  role: 'pricing',
  version: '1.0.0',
  region: 'eu',
  labels: {},
};

function setup() {
  const repository = new InMemoryKnownAgentRepository();
  const clock = new ManualClock('2026-12-01T10:00:00.000Z');
  return { repository, clock, agents: new KnownAgents(repository, clock) };
}

describe('KnownAgents', () => {
  it('stores an agent seen again at most once a minute, by the clock', async () => {
    const { agents, repository, clock } = setup();
    await agents.observe(agent, '2026-12-01T10:00:00.000Z');
    clock.advance(KnownAgents.REFRESH_MS - 1);
    await agents.observe(agent, '2026-12-01T10:00:59.999Z');
    expect(repository.upserts).toBe(1);
    clock.advance(1);
    await agents.observe(agent, '2026-12-01T10:01:00.000Z');
    expect(repository.upserts).toBe(2);
  });

  it('stores at once an agent whose cohort facts changed, and answers with the new ones', async () => {
    const { agents, repository } = setup();
    await agents.observe(agent, '2026-12-01T10:00:00.000Z');
    await agents.observe({ ...agent, version: '2.0.0' }, '2026-12-01T10:00:01.000Z');
    expect(repository.upserts).toBe(2);
    expect(await agents.find('pricing-1')).toMatchObject({ version: '2.0.0' });
    expect(repository.finds).toBe(0);
  });

  it('reads an agent it has not seen from storage once, then from memory; unknown ones stay unknown', async () => {
    const { agents, repository } = setup();
    await repository.upsert(agent, '2026-12-01T09:00:00.000Z');
    expect(await agents.find('pricing-1')).toEqual({
      id: 'pricing-1',
      tenantId: 'maison',
      role: 'pricing',
      version: '1.0.0',
      region: 'eu',
    });
    await agents.find('pricing-1');
    expect(repository.finds).toBe(1);
    expect(await agents.find('nobody')).toBeUndefined();
    expect(await agents.all('rival')).toEqual([]);
  });
});
