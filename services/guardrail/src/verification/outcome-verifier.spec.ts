import { EventTypes } from '@agentops/contracts';
import { ManualClock } from '@agentops/service-runtime';
import { OutcomeVerifier } from './outcome-verifier';
import {
  InMemoryVerificationRepository,
  RecordingPublisher,
  decisionOf,
  outcomeOf,
  proposedIntent,
} from './testing/verification-doubles';

/**
 * Outcome verification over its tables in memory (testing/verification-doubles.ts), a recording
 * publisher and a clock the test sets: which decision binds, what is a violation, and exactly one
 * verification per outcome.
 */
describe('OutcomeVerifier', () => {
  let repo: InMemoryVerificationRepository;
  let published: RecordingPublisher;
  let verifier: OutcomeVerifier;
  const clock = new ManualClock('2026-03-02T09:00:05.000Z');

  beforeEach(() => {
    repo = new InMemoryVerificationRepository();
    published = new RecordingPublisher();
    verifier = new OutcomeVerifier(repo, published.asPublisher(), clock, 'agentops/guardrail');
  });

  it('publishes a clean verification for an outcome that did what was allowed, keyed by agent', async () => {
    const intent = proposedIntent({ sku: 'SKU-1', price: 90 });
    repo.decide(intent, decisionOf(intent, 'allow'));
    const outcome = outcomeOf(intent, { sku: 'SKU-1', price: 90 });
    const event = await verifier.verify(outcome);
    expect(event).toMatchObject({
      type: EventTypes.OutcomeVerified,
      source: 'agentops/guardrail',
      tenantid: 'maison',
      agentid: 'pricing-1',
      correlationid: intent.intentId,
      causationid: outcome.id,
      data: {
        intentId: intent.intentId,
        outcomeId: outcome.data.outcomeId,
        violation: false,
        differences: [],
        verifiedAt: '2026-03-02T09:00:05.000Z',
      },
    });
    expect(published.sent).toEqual([{ event, key: 'pricing-1' }]);
    expect(repo.verifications.get(outcome.data.outcomeId)).toEqual(event);
  });

  it('finds a violation where the executed params differ from the approved ones, or exceed a cap', async () => {
    const intent = proposedIntent({ sku: 'SKU-1', price: 90 });
    repo.decide(
      intent,
      decisionOf(intent, 'allow', 'policy', { obligations: [{ type: 'cap', field: 'qty', max: 5 }] }),
    );
    const { data } = await verifier.verify(outcomeOf(intent, { price: 80, qty: 6 }));
    expect(data.violation).toBe(true);
    expect(data.differences.map((d) => d.field)).toEqual(['params.price', 'params.qty']);
  });

  it('checks against the modified params of a modify decision, not the intent', async () => {
    const intent = proposedIntent({ price: 60 });
    repo.decide(intent, decisionOf(intent, 'modify', 'policy', { modifiedParams: { price: 75 } }));
    expect((await verifier.verify(outcomeOf(intent, { price: 75 }))).data.violation).toBe(false);
    expect((await verifier.verify(outcomeOf(intent, { price: 60 }))).data.violation).toBe(true);
  });

  it('counts an executed intent that nobody decided, or that another agent decided, as never approved', async () => {
    const undecided = proposedIntent({ price: 1 });
    expect((await verifier.verify(outcomeOf(undecided, {}))).data.differences).toEqual([
      expect.objectContaining({ field: 'decision', approved: null }),
    ]);
    const theirs = proposedIntent({ price: 1 }, 'pricing-2');
    repo.decide(theirs, decisionOf(theirs, 'allow'));
    const claimed = outcomeOf(theirs, { price: 1 }, { agentId: 'pricing-1' });
    expect((await verifier.verify(claimed)).data.differences).toEqual([
      expect.objectContaining({ field: 'decision' }),
    ]);
  });

  it('a failed or skipped action changed nothing: no violation even when denied', async () => {
    const intent = proposedIntent({ price: 1 });
    repo.decide(intent, decisionOf(intent, 'deny'));
    expect(
      (await verifier.verify(outcomeOf(intent, { price: 1 }, { status: 'failed' }))).data.violation,
    ).toBe(false);
  });

  describe('the binding decision', () => {
    it("a human's decision binds over guardrail's own", async () => {
      const intent = proposedIntent({ price: 50 });
      repo.decide(intent, decisionOf(intent, 'escalate'));
      await verifier.rememberExternalDecision(decisionOf(intent, 'allow', 'human'));
      expect((await verifier.verify(outcomeOf(intent, { price: 50 }))).data.violation).toBe(false);
    });

    it("another service's non-human decision binds only where guardrail has none", async () => {
      const own = proposedIntent({ price: 50 });
      repo.decide(own, decisionOf(own, 'allow'));
      await verifier.rememberExternalDecision(decisionOf(own, 'deny', 'timeout'));
      expect((await verifier.verify(outcomeOf(own, { price: 50 }))).data.violation).toBe(false);

      const halted = proposedIntent({ price: 50 });
      await verifier.rememberExternalDecision(decisionOf(halted, 'deny', 'killswitch'));
      expect((await verifier.verify(outcomeOf(halted, { price: 50 }))).data.differences).toEqual([
        expect.objectContaining({ field: 'verdict', approved: 'deny' }),
      ]);
    });

    it("does not keep guardrail's own policy decisions as external ones; a human's replaces a timeout, not the reverse", async () => {
      const intent = proposedIntent({});
      await verifier.rememberExternalDecision(decisionOf(intent, 'allow', 'policy'));
      expect(repo.external.size).toBe(0);
      await verifier.rememberExternalDecision(decisionOf(intent, 'deny', 'timeout'));
      await verifier.rememberExternalDecision(decisionOf(intent, 'allow', 'human'));
      await verifier.rememberExternalDecision(decisionOf(intent, 'deny', 'timeout'));
      expect(repo.external.get(intent.intentId)).toMatchObject({ decidedBy: 'human', verdict: 'allow' });
    });
  });

  describe('exactly one verification per outcome', () => {
    it('republishes the stored verification on redelivery, without verifying again', async () => {
      const intent = proposedIntent({ price: 90 });
      repo.decide(intent, decisionOf(intent, 'allow'));
      const outcome = outcomeOf(intent, { price: 90 });
      const first = await verifier.verify(outcome);
      repo.decide(intent, decisionOf(intent, 'deny')); // would now be a violation
      clock.advance(60_000);
      expect(await verifier.verify(outcome)).toEqual(first);
      expect(published.sent.map((s) => s.event)).toEqual([first, first]);
      expect(repo.verifications.size).toBe(1);
    });

    it('publishes the verification another instance stored meanwhile, not its own', async () => {
      const intent = proposedIntent({ price: 90 });
      repo.decide(intent, decisionOf(intent, 'allow'));
      const outcome = outcomeOf(intent, { price: 90 });
      const theirs = await new OutcomeVerifier(
        new InMemoryVerificationRepository(),
        new RecordingPublisher().asPublisher(),
        clock,
        'agentops/guardrail',
      ).verify(outcome);
      repo.beforeInsert = () => repo.verifications.set(outcome.data.outcomeId, theirs);
      expect(await verifier.verify(outcome)).toEqual(theirs);
      expect(published.sent.map((s) => s.event.id)).toEqual([theirs.id]);
    });
  });
});
