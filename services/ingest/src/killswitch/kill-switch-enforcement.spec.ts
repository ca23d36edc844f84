import { AgentIdentity, EventEnvelope, IntentDecidedV1 } from '@agentops/contracts';
import { KillSwitchSet } from '@agentops/killswitch-client';
import { EventPublisher } from '@agentops/messaging';
import { DomainError, ManualClock } from '@agentops/service-runtime';
import { DecisionBoard } from '../decisions/decision-board';
import { DecisionPublisher } from '../decisions/decision-publisher';
import { KillSwitchEnforcement } from './kill-switch-enforcement';

/** The use case with in-memory parts: a real switch set, a board and a publisher that only remember. */
function setup() {
  const switches = new KillSwitchSet();
  const recorded: IntentDecidedV1[] = [];
  const board = { record: async (d: IntentDecidedV1) => void recorded.push(d) } as unknown as DecisionBoard;
  const published: { event: EventEnvelope; key: string }[] = [];
  const bus = { publish: async (event: EventEnvelope, key: string) => void published.push({ event, key }) };
  const publisher = new DecisionPublisher(bus as unknown as EventPublisher, 'agentops/ingest');
  return {
    switches,
    recorded,
    published,
    enforcement: new KillSwitchEnforcement(
      switches,
      board,
      publisher,
      new ManualClock('2026-12-01T08:00:00.000Z'),
    ),
  };
}

const agent: AgentIdentity = {
  id: 'pricing-1',
  tenantId: 'maison',
  role: 'pricing',
  version: '1.0.0',
  region: 'eu-west',
  labels: {},
};
const intentId = '0190a0a0-0000-7000-8000-0000000000aa';
const switchId = '0190a0a0-0000-7000-8000-000000000001';

describe('KillSwitchEnforcement', () => {
  it('decides nothing before the switch set is loaded (503, coded)', async () => {
    const { enforcement } = setup();
    const refused = enforcement.refuseIfCovered(agent, 'pricing.set_price', intentId);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('lets an uncovered intent through without recording or publishing', async () => {
    const { switches, enforcement, recorded, published } = setup();
    switches.markLoaded();
    expect(await enforcement.refuseIfCovered(agent, 'pricing.set_price', intentId)).toBeNull();
    expect(recorded).toEqual([]);
    expect(published).toEqual([]);
  });

  it('refuses a covered intent: records and publishes the kill-switch deny, caused by the switch', async () => {
    const { switches, enforcement, recorded, published } = setup();
    switches.markLoaded();
    switches.apply({
      switchId,
      selector: { tenantId: 'maison', role: 'pricing' },
      state: 'active',
      actor: 'sre:alice',
      reason: 'runaway repricing',
      changedAt: '2026-12-01T00:00:00.000Z',
    });
    const decision = await enforcement.refuseIfCovered(agent, 'pricing.set_price', intentId);
    expect(decision).toMatchObject({
      intentId,
      agentId: 'pricing-1',
      action: 'pricing.set_price',
      verdict: 'deny',
      decidedBy: 'killswitch',
      decisionSource: `killswitch:${switchId}`,
      decidedAt: '2026-12-01T08:00:00.000Z',
    });
    expect(IntentDecidedV1.safeParse(decision).success).toBe(true);
    expect(recorded).toEqual([decision]);
    expect(published).toHaveLength(1);
    expect(published[0].key).toBe('pricing-1');
    expect(published[0].event).toMatchObject({
      type: 'agentops.intent.decided.v1',
      source: 'agentops/ingest',
      tenantid: 'maison',
      agentid: 'pricing-1',
      correlationid: intentId,
      causationid: switchId,
      data: decision,
    });
  });
});
