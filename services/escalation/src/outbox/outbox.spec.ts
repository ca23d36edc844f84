import { escalateVerdict, escalationUnderTest, proposal } from '../testing/escalation-doubles';

describe('OutboxRelay', () => {
  it('publishes pending events in creation order with their keys, once', async () => {
    const { relay, open, publisher, db, clock } = escalationUnderTest();
    await open(proposal());
    await open(proposal());
    const rows = db.outboxRows();
    expect(await relay.flush()).toBe(2);
    expect(publisher.published.map((p) => [p.event.id, p.key])).toEqual(rows.map((r) => [r.id, r.key]));
    expect(db.outboxRows().map((r) => r.sentAt)).toEqual([clock.now(), clock.now()]);
    expect(await relay.flush()).toBe(0);
    expect(publisher.published).toHaveLength(2);
  });

  it('leaves the rows unsent when the broker refuses, and publishes the very same events next time', async () => {
    const { relay, open, publisher, db } = escalationUnderTest();
    await open(proposal());
    publisher.failNext = new Error('broker unavailable');
    await expect(relay.flush()).rejects.toThrow('broker unavailable');
    expect(db.outboxRows().map((r) => r.sentAt)).toEqual([null]);
    expect(await relay.flush()).toBe(1);
    expect(publisher.published.map((p) => p.event.id)).toEqual(db.outboxRows().map((r) => r.id));
  });

  it('republishes with the same ids after a crash between publishing and marking sent', async () => {
    const { relay, open, publisher } = escalationUnderTest();
    await open(proposal());
    relay.faults.afterPublish = () => {
      throw new Error('crash');
    };
    await expect(relay.flush()).rejects.toThrow('crash');
    relay.faults = {};
    await relay.flush();
    const ids = publisher.published.map((p) => p.event.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('works through a backlog in batches of 100', async () => {
    const { relay, workflow, publisher } = escalationUnderTest();
    for (let i = 0; i < 101; i++) {
      const intent = proposal();
      await workflow.onIntents([intent]);
      await workflow.onEscalated(escalateVerdict(intent));
    }
    const batches: number[] = [];
    const publish = publisher.publishMany.bind(publisher);
    publisher.publishMany = async (items) => {
      batches.push(items.length);
      return publish(items);
    };
    expect(await relay.flush()).toBe(101);
    expect(batches).toEqual([100, 1]);
  });
});
