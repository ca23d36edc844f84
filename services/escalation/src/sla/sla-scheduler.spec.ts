import { EventTypes } from '@agentops/contracts';
import { Principal } from '@agentops/service-runtime';
import { agent, escalateVerdict, escalationUnderTest, proposal } from '../testing/escalation-doubles';

describe('SlaScheduler', () => {
  it('leaves tasks alone until they are due', async () => {
    const { sla, open, clock, db } = escalationUnderTest();
    const task = await open(proposal({ amount: 120 })); // customer-service: 10 s, then 20 s
    clock.advance(9_999);
    expect(await sla.tick()).toBe(0);
    expect(db.task(task.id)).toMatchObject({ tier: 0, reviewer_group: 'service-reviewers' });
  });

  it("moves a breached task to the next tier's group, unclaimed, with that tier's SLA", async () => {
    const { sla, review, open, clock, db, notifier } = escalationUnderTest();
    const task = await open(proposal({ amount: 120 }));
    await review.claim(
      { kind: 'human', id: 'u-1', tenantId: 'maison', roles: ['reviewer'], groups: ['service-reviewers'] },
      task.id,
    );
    clock.advance(10_000);
    expect(await sla.tick()).toBe(1);
    const moved = db.task(task.id)!;
    expect(moved).toMatchObject({
      status: 'open',
      tier: 1,
      reviewer_group: 'service-leads',
      claimed_by: null,
    });
    expect(moved.due_at).toEqual(new Date(clock.now().getTime() + 20_000));
    expect(moved.history.at(-1)).toEqual({
      at: clock.now().toISOString(),
      by: 'sla',
      what: 'SLA breached at tier 0 (service-reviewers); escalated to tier 1 (service-leads)',
    });
    expect(notifier.notices.at(-1)?.text).toMatch(/escalated to tier 1 \(service-leads\), due /);
    expect(db.outboxRows().map((r) => r.type)).toEqual([EventTypes.EscalationOpened]);
  });

  it("answers with the route's timeout outcome after the last tier (decidedBy timeout)", async () => {
    const { sla, open, clock, db } = escalationUnderTest();
    const denying = await open(proposal({ amount: 120 })); // customer-service: deny on timeout
    const allowing = await open(proposal({}, { action: 'pricing.set_price' })); // default: one tier, allow
    clock.advance(10_000);
    await sla.tick();
    clock.advance(20_000);
    expect(await sla.tick()).toBe(1); // the default route's 60 s have not passed yet
    clock.advance(30_000);
    expect(await sla.tick()).toBe(1);
    expect(db.task(denying.id)).toMatchObject({ status: 'resolved', resolution: 'timed_out', due_at: null });
    expect(db.task(denying.id)?.final_decision).toMatchObject({ verdict: 'deny', decidedBy: 'timeout' });
    expect(db.task(allowing.id)?.final_decision).toMatchObject({ verdict: 'allow', decidedBy: 'timeout' });
    expect(db.task(allowing.id)?.final_decision?.reasons[0]).toMatchObject({
      policyId: 'agentops.escalation.sla',
      message: 'no review within the SLA of route default (last tier reviewers); timeout outcome allow',
    });
    const decided = db.outboxRows().filter((r) => r.type === EventTypes.IntentDecided);
    expect(decided.map((r) => r.key)).toEqual(['svc-agent-1', 'svc-agent-1']);
    // Resolved tasks have no timer: nothing more happens.
    clock.advance(3_600_000);
    expect(await sla.tick()).toBe(0);
  });

  it('handles at most 50 due tasks a tick, soonest due first', async () => {
    const { sla, open, clock, db } = escalationUnderTest();
    const ids: string[] = [];
    for (let i = 0; i < 52; i++) {
      ids.push((await open(proposal({}, { action: 'pricing.set_price' }))).id);
      clock.advance(1);
    }
    clock.advance(60_000);
    expect(await sla.tick()).toBe(50);
    expect(ids.filter((id) => db.task(id)?.status === 'open')).toEqual(ids.slice(50));
    expect(await sla.tick()).toBe(2);
  });

  it('purges proposals, unmatched verdicts, sent outbox rows and callbacks past the retention', async () => {
    const { sla, relay, dispatcher, review, workflow, open, db, clock, config } = escalationUnderTest();
    const lead: Principal = {
      kind: 'human',
      id: 'u-1',
      tenantId: 'maison',
      roles: ['reviewer'],
      groups: ['service-reviewers'],
    };
    const old = await open(
      proposal({ amount: 120 }, { agent: agent({ callbackUrl: 'https://agent.example.com/cb' }) }),
    );
    await review.reject(lead, old.id, {});
    await workflow.onEscalated(escalateVerdict(proposal())); // a verdict whose proposal never came
    await relay.flush();
    await dispatcher.tick();
    expect(db.callbackRows().map((c) => c.deliveredAt)).toEqual([clock.now()]);

    clock.advance(config.ESCALATION_RETENTION_HOURS * 3_600_000 - 1000);
    const recent = await open(proposal({ amount: 120 }));
    await relay.flush();
    clock.advance(2000);
    await sla.purge();
    expect([...db.tables.intents.keys()]).toEqual([recent.intent_id]);
    expect([...db.tables.escalatedDecisions.keys()]).toEqual([recent.intent_id]);
    expect(db.outboxRows().map((r) => r.envelope.subject)).toEqual([recent.id]);
    expect(db.callbackRows()).toEqual([]);
    // The tasks keep their own copies.
    expect(db.task(old.id)?.intent?.intentId).toBe(old.intent_id);
  });
});
