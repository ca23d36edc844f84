import { EventEnvelope, EventTypes, IntentDecidedV1, OutcomeVerifiedV1 } from '@agentops/contracts';
import { createEvent, newEventId } from '@agentops/messaging';
import { DataSource } from 'typeorm';
import { PostgresDecisionRepository } from '../../services/guardrail/src/decisions/decision-repository';
import { PostgresVerificationRepository } from '../../services/guardrail/src/verification/verification-repository';
import {
  decisionOf,
  proposedIntent,
} from '../../services/guardrail/src/verification/testing/verification-doubles';
import { serviceDataSource } from '../support/service-data-source';

/**
 * Guardrail's outcome-verification repository on the real PostgreSQL, connected as guardrail's own
 * role: the rules `InMemoryVerificationRepository` stands in for in `outcome-verifier.spec.ts`
 * (guardrail's own decision read with its intent; another service's decision kept until a human's
 * replaces it; exactly one verification per outcome, also under concurrent inserts). Its rows are
 * keyed by fresh UUIDs and deleted at the end.
 */
describe('PostgresVerificationRepository on PostgreSQL', () => {
  let ds: DataSource;
  let repo: PostgresVerificationRepository;
  let decisions: PostgresDecisionRepository;
  const intentIds: string[] = [];

  beforeAll(async () => {
    ds = await serviceDataSource('guardrail', 'verification-repository-test');
    repo = new PostgresVerificationRepository(ds);
    decisions = new PostgresDecisionRepository(ds);
  });

  afterAll(async () => {
    for (const table of ['decisions', 'external_decisions', 'verifications'])
      await ds?.query(`DELETE FROM ${table} WHERE intent_id = ANY($1::uuid[])`, [intentIds]);
    await ds?.destroy();
  });

  const intent = (params: Record<string, unknown> = { sku: 'SKU-1', price: 90 }) => {
    const i = proposedIntent(params, 'it-verifier-agent');
    intentIds.push(i.intentId);
    return i;
  };
  const decisionEvent = (data: IntentDecidedV1, tenantid = 'maison') =>
    createEvent(EventTypes.IntentDecided, data, {
      source: 'agentops/guardrail',
      tenantid,
      agentid: data.agentId,
      correlationid: data.intentId,
    }) as EventEnvelope<IntentDecidedV1>;
  const verification = (intentId: string, outcomeId: string, violation: boolean) =>
    createEvent(
      EventTypes.OutcomeVerified,
      {
        intentId,
        outcomeId,
        agentId: 'it-verifier-agent',
        violation,
        differences: violation ? [{ field: 'price', approved: 90, actual: 80, reason: 'differs' }] : [],
        verifiedAt: '2026-03-02T09:00:05.000Z',
      },
      {
        source: 'agentops/guardrail',
        tenantid: 'maison',
        agentid: 'it-verifier-agent',
        correlationid: intentId,
      },
    ) as EventEnvelope<OutcomeVerifiedV1>;

  it('reads guardrail’s own decision of an intent with the intent as decided and its agent; nothing for an unknown intent', async () => {
    const decided = intent();
    const decision = decisionOf(decided, 'allow', 'policy', {
      obligations: [{ type: 'cap', field: 'qty', max: 5 }],
    });
    await decisions.saveFirst([{ event: decisionEvent(decision), intent: decided }]);
    expect(await repo.decisionsOf(decided.intentId)).toEqual({
      own: { decision, intent: decided, agentId: 'it-verifier-agent' },
      external: undefined,
    });
    expect(await repo.decisionsOf(newEventId())).toEqual({ own: undefined, external: undefined });
  });

  it('keeps the first non-human decision of an intent; a human’s replaces it, and a later timeout does not replace the human’s', async () => {
    const i = intent();
    const timeout = decisionOf(i, 'deny', 'timeout');
    await repo.rememberExternalDecision(timeout);
    await repo.rememberExternalDecision(
      decisionOf(i, 'deny', 'killswitch', { decidedAt: '2026-03-02T08:59:02.000Z' }),
    );
    expect((await repo.decisionsOf(i.intentId)).external).toEqual(timeout);

    const human = decisionOf(i, 'allow', 'human', {
      decidedAt: '2026-03-02T08:59:03.000Z',
      reviewers: ['rev-1'],
    });
    await repo.rememberExternalDecision(human);
    expect((await repo.decisionsOf(i.intentId)).external).toEqual(human);

    await repo.rememberExternalDecision(
      decisionOf(i, 'deny', 'timeout', { decidedAt: '2026-03-02T08:59:04.000Z' }),
    );
    const [row] = (await ds.query(
      `SELECT verdict, decided_by, decided_at FROM external_decisions WHERE intent_id = $1`,
      [i.intentId],
    )) as { verdict: string; decided_by: string; decided_at: Date }[];
    expect(row).toEqual({
      verdict: 'allow',
      decided_by: 'human',
      decided_at: new Date('2026-03-02T08:59:03.000Z'),
    });
    expect((await repo.decisionsOf(i.intentId)).external).toEqual(human);
  });

  it('returns both guardrail’s decision and another service’s for one intent, each from its own table', async () => {
    const i = intent();
    const own = decisionOf(i, 'escalate');
    await decisions.saveFirst([{ event: decisionEvent(own), intent: i }]);
    const human = decisionOf(i, 'deny', 'human');
    await repo.rememberExternalDecision(human);
    const found = await repo.decisionsOf(i.intentId);
    expect([found.own?.decision, found.external]).toEqual([own, human]);
  });

  it('stores one verification per outcome: a second insert stores nothing and the first stays the stored one', async () => {
    const i = intent();
    const outcomeId = newEventId();
    expect(await repo.storedVerification(outcomeId)).toBeUndefined();
    const first = verification(i.intentId, outcomeId, true);
    expect(await repo.insertVerification(first)).toBe(true);
    expect(await repo.insertVerification(verification(i.intentId, outcomeId, false))).toBe(false);
    expect(await repo.storedVerification(outcomeId)).toEqual(first);
    const rows = (await ds.query(`SELECT violation FROM verifications WHERE outcome_id = $1`, [
      outcomeId,
    ])) as {
      violation: boolean;
    }[];
    expect(rows).toEqual([{ violation: true }]);
  });

  it('lets exactly one of concurrent inserts of an outcome’s verification through, and stores that one', async () => {
    const i = intent();
    const outcomeId = newEventId();
    const events = Array.from({ length: 5 }, (_, n) => verification(i.intentId, outcomeId, n % 2 === 0));
    const stored = await Promise.all(events.map((e) => repo.insertVerification(e)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    expect(await repo.storedVerification(outcomeId)).toEqual(events[stored.indexOf(true)]);
  });

  it('keeps outcomes apart: two outcomes of one intent each get their own verification', async () => {
    const i = intent();
    const [a, b] = [newEventId(), newEventId()];
    const [va, vb] = [verification(i.intentId, a, false), verification(i.intentId, b, true)];
    expect([await repo.insertVerification(va), await repo.insertVerification(vb)]).toEqual([true, true]);
    expect([await repo.storedVerification(a), await repo.storedVerification(b)]).toEqual([va, vb]);
  });
});
