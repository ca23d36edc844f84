import { AgentIdentity, EventEnvelope } from '@agentops/contracts';
import { newEventId } from '@agentops/messaging';
import { DataSource } from 'typeorm';
import { SystemClock } from '@agentops/service-runtime';
import { PostgresKnownAgentRepository } from '../../services/killswitch/src/agents/known-agent-repository';
import { KnownAgents } from '../../services/killswitch/src/agents/known-agents';
import { SignalRepository } from '../../services/killswitch/src/signals/signal-repository';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Killswitch's agents learnt from intents and its raw signals on the real PostgreSQL, connected as
 * killswitch's own role: one row per agent kept current (its last sighting never moves back), read
 * by another instance, per tenant; each signal stored once. The agents and signals are this suite's
 * own and deleted at the end.
 */
const RUN = Date.now().toString(36);
const tenant = (name: string) => `it-ka-${name}-${RUN}`;

describe('KnownAgents and SignalRepository on PostgreSQL', () => {
  let ds: DataSource;
  let n = 0;
  const signalIds: string[] = [];

  beforeAll(async () => {
    ds = await serviceDataSource('killswitch', 'known-agents-test');
  });

  afterAll(async () => {
    await ds?.query(`DELETE FROM known_agents WHERE tenant_id LIKE $1`, [`it-ka-%-${RUN}`]);
    await ds?.query(`DELETE FROM signals WHERE event_id = ANY($1::uuid[])`, [signalIds]);
    await ds?.destroy();
  });

  /** One instance's KnownAgents, as killswitch wires it. */
  const knownAgents = () => new KnownAgents(new PostgresKnownAgentRepository(ds), new SystemClock());
  const agentOf = (tenantId: string, over: Partial<AgentIdentity> = {}): AgentIdentity => ({
    id: `it-ka-agent-${RUN}-${n++}`,
    tenantId,
    role: 'pricing',
    version: '1.0.0',
    region: 'eu-west',
    labels: {},
    ...over,
  });
  const rowOf = async (agentId: string) =>
    (
      (await ds.query(
        `SELECT tenant_id, role, version, region, last_seen FROM known_agents WHERE agent_id = $1`,
        [agentId],
      )) as { tenant_id: string; role: string; version: string; region: string; last_seen: Date }[]
    )[0];

  it('stores an agent seen in an intent, and another instance finds it by id', async () => {
    const agent = agentOf(tenant('find'));
    await knownAgents().observe(agent, '2026-03-02T09:00:00.000Z');
    expect(await knownAgents().find(agent.id)).toEqual({
      id: agent.id,
      tenantId: agent.tenantId,
      role: 'pricing',
      version: '1.0.0',
      region: 'eu-west',
    });
    expect(await knownAgents().find(`it-ka-agent-${RUN}-unknown`)).toBeUndefined();
  });

  it('writes an agent again within the minute only when its facts changed, and keeps the latest sighting', async () => {
    const known = knownAgents();
    const agent = agentOf(tenant('refresh'));
    await known.observe(agent, '2026-03-02T09:00:00.000Z');
    await known.observe(agent, '2026-03-02T09:00:30.000Z'); // same facts, within the minute: no write
    expect((await rowOf(agent.id)).last_seen.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    await known.observe({ ...agent, version: '2.0.0' }, '2026-03-02T09:00:40.000Z');
    expect(await rowOf(agent.id)).toMatchObject({
      version: '2.0.0',
      last_seen: new Date('2026-03-02T09:00:40.000Z'),
    });
    // Another instance that sees an older intent of the agent later does not move its sighting back.
    await knownAgents().observe({ ...agent, version: '2.0.0' }, '2026-03-02T08:00:00.000Z');
    expect((await rowOf(agent.id)).last_seen.toISOString()).toBe('2026-03-02T09:00:40.000Z');
  });

  it('lists the agents of one tenant, or of every tenant', async () => {
    const [a, b] = [tenant('all-a'), tenant('all-b')];
    const known = knownAgents();
    const [a1, a2, b1] = [agentOf(a), agentOf(a, { role: 'service' }), agentOf(b)];
    for (const agent of [a1, a2, b1]) await known.observe(agent, '2026-03-02T09:00:00.000Z');
    expect((await known.all(a)).map((m) => m.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await known.all(b)).map((m) => m.id)).toEqual([b1.id]);
    const everyTenant = (await known.all()).filter((m) => [a, b].includes(m.tenantId));
    expect(everyTenant).toHaveLength(3);
  });

  it('stores each signal once, whatever the redeliveries', async () => {
    const signals = new SignalRepository(ds);
    const event = {
      id: newEventId(),
      type: 'agentops.intent.decided.v1',
      source: 'agentops/guardrail',
      specversion: '1.0',
      time: '2026-03-02T09:00:00.000Z',
      tenantid: tenant('signals'),
      agentid: 'it-agent',
      data: { verdict: 'deny' },
    } as EventEnvelope;
    signalIds.push(event.id);
    await signals.record(event);
    await signals.record({ ...event, data: { verdict: 'allow' } });
    const rows = (await ds.query(
      `SELECT type, tenant_id, agent_id, body, occurred_at FROM signals WHERE event_id = $1`,
      [event.id],
    )) as unknown[];
    expect(rows).toEqual([
      {
        type: 'agentops.intent.decided.v1',
        tenant_id: event.tenantid,
        agent_id: 'it-agent',
        body: { verdict: 'deny' },
        occurred_at: new Date('2026-03-02T09:00:00.000Z'),
      },
    ]);
  });
});
