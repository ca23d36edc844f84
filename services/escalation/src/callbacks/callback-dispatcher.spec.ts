import { EgressRefused } from '@agentops/egress';
import { Principal } from '@agentops/service-runtime';
import {
  CALLBACK_SECRET,
  InMemoryCallbackRepository,
  agent,
  escalationUnderTest,
  proposal,
} from '../testing/escalation-doubles';
import { CALLBACK_CLAIM_LEASE_MS, CallbackDispatcher } from './callback-dispatcher';
import { SIGNATURE_HEADER, verifyCallback } from './callback-signature';

const lead: Principal = {
  kind: 'human',
  id: 'u-1',
  tenantId: 'maison',
  roles: ['reviewer'],
  groups: ['service-reviewers'],
};

/** An escalation whose agent asked for callbacks, with one task rejected (one callback queued). */
async function withQueuedCallback(options: Parameters<typeof escalationUnderTest>[0] = {}) {
  const esc = escalationUnderTest(options);
  const task = await esc.open(
    proposal({ amount: 120 }, { agent: agent({ callbackUrl: 'https://agent.example.com/cb' }) }),
  );
  await esc.review.reject(lead, task.id, { comment: 'no' });
  return { ...esc, task, callbackId: esc.db.callbackRows()[0].id };
}

describe('CallbackDispatcher', () => {
  it('sends nothing without a signing secret', async () => {
    const { dispatcher, sender } = await withQueuedCallback({
      config: { ESCALATION_CALLBACK_SECRET: undefined },
    });
    expect(await dispatcher.tick()).toBe(0);
    expect(sender.calls).toEqual([]);
  });

  it('POSTs the final decision signed with the secret, and records the delivery', async () => {
    const { dispatcher, sender, db, clock, task, callbackId } = await withQueuedCallback();
    expect(await dispatcher.tick()).toBe(1);
    const [call] = sender.calls;
    expect(call).toMatchObject({ purpose: 'callback', url: 'https://agent.example.com/cb' });
    expect(call.headers['x-agentops-event-id']).toBe(callbackId);
    expect(
      verifyCallback(
        CALLBACK_SECRET,
        call.body,
        call.headers[SIGNATURE_HEADER],
        clock.now().getTime() / 1000,
      ),
    ).toBe(true);
    expect(JSON.parse(call.body)).toMatchObject({
      eventId: callbackId,
      intentId: task.intent_id,
      decision: { verdict: 'deny', decidedBy: 'human' },
    });
    expect(db.callbackRows()[0]).toMatchObject({ deliveredAt: clock.now(), attempts: 1, lastError: null });
    clock.advance(3_600_000);
    expect(await dispatcher.tick()).toBe(0);
    expect(sender.calls).toHaveLength(1);
  });

  it('retries a failed delivery after the backoff, not before, up to the attempts configured', async () => {
    const { dispatcher, sender, db, clock, logger } = await withQueuedCallback(); // 3 attempts
    sender.answers = [503, new Error('socket hang up'), 500];
    await dispatcher.tick();
    expect(db.callbackRows()[0]).toMatchObject({
      attempts: 1,
      lastError: 'callback answered 503',
      deliveredAt: null,
    });
    clock.advance(499);
    expect(await dispatcher.tick()).toBe(0); // backoff at least 500 ms after the first attempt …
    clock.advance(501);
    expect(await dispatcher.tick()).toBe(1); // … and less than 1 s (equal jitter)
    expect(db.callbackRows()[0]).toMatchObject({ attempts: 2, lastError: 'socket hang up' });
    clock.advance(999);
    expect(await dispatcher.tick()).toBe(0); // then at least 1 s …
    clock.advance(1001);
    await dispatcher.tick(); // … and less than 2 s
    expect(db.callbackRows()[0]).toMatchObject({ attempts: 3, deliveredAt: null });
    expect(logger.warnings).toEqual([
      expect.objectContaining({
        msg: 'callback undeliverable; giving up',
        fields: expect.objectContaining({ destination: 'https://agent.example.com' }),
      }),
    ]);
    clock.advance(3_600_000);
    expect(await dispatcher.tick()).toBe(0);
    expect(sender.calls).toHaveLength(3);
  });

  it('gives up at once on a URL the egress policy refuses', async () => {
    const { dispatcher, sender, db, clock } = await withQueuedCallback();
    sender.answers = [new EgressRefused('the host resolves to a private address')];
    await dispatcher.tick();
    expect(db.callbackRows()[0]).toMatchObject({
      attempts: 3,
      lastError: 'refused: the host resolves to a private address',
    });
    clock.advance(3_600_000);
    expect(await dispatcher.tick()).toBe(0);
  });

  it('claims before it calls out: a second instance does not send a callback that is in flight', async () => {
    const { dispatcher, sender, db, clock, config, logger } = await withQueuedCallback();
    let answer!: (status: number) => void;
    sender.answers = [() => new Promise<number>((resolve) => (answer = resolve))];
    const first = dispatcher.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sender.calls).toHaveLength(1); // the call is in flight

    // Another instance over the same tables (nothing is locked while the call is out).
    const other = new CallbackDispatcher(
      new InMemoryCallbackRepository(db),
      sender.asSender(),
      config,
      logger.asLogger(),
      clock,
    );
    expect(await other.tick()).toBe(0);
    expect(db.callbackRows()[0].dueAt).toEqual(new Date(clock.now().getTime() + CALLBACK_CLAIM_LEASE_MS));

    answer(204);
    expect(await first).toBe(1);
    expect(db.callbackRows()[0]).toMatchObject({ attempts: 1, deliveredAt: clock.now() });
    expect(sender.calls).toHaveLength(1);
  });

  it('sends again after the lease when the instance that claimed a callback died mid-call', async () => {
    const { dispatcher, sender, db, clock } = await withQueuedCallback();
    sender.answers = [() => new Promise<number>(() => undefined)]; // never answers: the instance is gone
    void dispatcher.tick();
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(CALLBACK_CLAIM_LEASE_MS - 1);
    expect(await dispatcher.tick()).toBe(0);
    clock.advance(1);
    expect(await dispatcher.tick()).toBe(1);
    expect(sender.calls).toHaveLength(2);
    expect(db.callbackRows()[0]).toMatchObject({ attempts: 1, deliveredAt: clock.now() });
  });
});
