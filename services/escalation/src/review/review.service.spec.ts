import { EventTypes } from '@agentops/contracts';
import { Principal } from '@agentops/service-runtime';
import { TaskError } from '../tasks/task-errors';
import { agent, escalationUnderTest, proposal } from '../testing/escalation-doubles';

const reviewer = (id: string, groups: string[], tenantId = 'maison'): Principal => ({
  kind: 'human',
  id,
  tenantId,
  roles: ['reviewer'],
  groups,
});
const operator: Principal = { kind: 'operator', id: 'op-1', tenantId: '*', roles: ['admin'], groups: [] };

/** The coded error a call fails with. */
async function failure(call: Promise<unknown>): Promise<TaskError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TaskError)) throw new Error(`expected a TaskError, got ${String(error)}`);
  return error;
}

describe('ReviewService', () => {
  const small = () => proposal({ amount: 120 }); // customer-service: service-reviewers, one approval
  const large = (labels: Record<string, string> = {}) => proposal({ amount: 900 }, { agent: agent(labels) }); // four-eyes

  describe('reading', () => {
    it("lists the caller's tenant only, open work soonest due first; the operator sees every tenant", async () => {
      const { review, open, clock } = escalationUnderTest();
      const a = await open(small()); // due in 10 s
      clock.advance(1000);
      const b = await open(large()); // due in 30 s
      const other = await open(proposal({ amount: 120 }, { agent: agent({}, 'other-tenant') }));
      const mine = await review.list(reviewer('u-1', []), { limit: 10 });
      expect(mine.items.map((t) => t.id)).toEqual([a.id, b.id]);
      expect(mine.next).toBeNull();
      const first = await review.list(reviewer('u-1', []), { limit: 1 });
      expect(first.items.map((t) => t.id)).toEqual([a.id]);
      const second = await review.list(reviewer('u-1', []), { limit: 1, cursor: first.next! });
      expect([second.items.map((t) => t.id), second.next]).toEqual([[b.id], null]);
      expect((await review.list(operator, { limit: 10 })).items.map((t) => t.id).sort()).toEqual(
        [a.id, b.id, other.id].sort(),
      );
      expect(
        (await review.list(operator, { tenantId: 'other-tenant', limit: 10 })).items.map((t) => t.id),
      ).toEqual([other.id]);
      expect(
        (await review.list(reviewer('u-1', []), { route: 'large-refunds', limit: 10 })).items.map(
          (t) => t.id,
        ),
      ).toEqual([b.id]);
      expect(
        (await failure(review.list(reviewer('u-1', []), { tenantId: 'other-tenant', limit: 10 }))).code,
      ).toBe('forbidden');
    });

    it("answers another tenant's task as not found, like one that does not exist", async () => {
      const { review, open } = escalationUnderTest();
      const task = await open(small());
      expect((await review.get(reviewer('u-1', []), task.id)).intent).toMatchObject({
        params: { amount: 120 },
      });
      expect((await failure(review.get(reviewer('u-9', [], 'other-tenant'), task.id))).code).toBe(
        'not_found',
      );
      expect((await failure(review.claim(reviewer('u-9', [], 'other-tenant'), task.id))).code).toBe(
        'not_found',
      );
      expect(
        (await failure(review.get(reviewer('u-1', []), '0190e1a2-0000-7000-8000-000000000000'))).code,
      ).toBe('not_found');
    });
  });

  describe('claiming and commenting', () => {
    it('lets a member of the deciding groups claim; another member then gets a conflict, a non-member 403', async () => {
      const { review, open, db, clock } = escalationUnderTest();
      const task = await open(small());
      const view = await review.claim(reviewer('u-1', ['service-reviewers']), task.id);
      expect(view.claimedBy).toBe('u-1');
      expect(db.task(task.id)?.history.at(-1)).toEqual({
        at: clock.now().toISOString(),
        by: 'u-1',
        what: 'claimed',
      });
      expect((await failure(review.claim(reviewer('u-2', ['service-leads']), task.id))).code).toBe(
        'conflict',
      );
      expect((await failure(review.claim(reviewer('u-3', ['supply-chain']), task.id))).code).toBe(
        'forbidden',
      );
      // Claiming again is harmless.
      expect((await review.claim(reviewer('u-1', ['service-reviewers']), task.id)).claimedBy).toBe('u-1');
    });

    it('keeps comments of any reviewer of the tenant, in order', async () => {
      const { review, open, clock } = escalationUnderTest();
      const task = await open(small());
      await review.comment(reviewer('u-1', []), task.id, 'looks fine');
      clock.advance(1000);
      const view = await review.comment(reviewer('u-2', []), task.id, 'agreed');
      expect(view.comments).toEqual([
        { by: 'u-1', text: 'looks fine', at: '2026-03-02T09:00:00.000Z' },
        { by: 'u-2', text: 'agreed', at: '2026-03-02T09:00:01.000Z' },
      ]);
    });
  });

  describe('deciding', () => {
    it('approves: the allow decision and the resolution commit with the task, then the webhook hears of it', async () => {
      const { review, open, db, notifier } = escalationUnderTest();
      const task = await open(small());
      const view = await review.approve(reviewer('u-1', ['service-reviewers']), task.id, { comment: 'ok' });
      expect(view).toMatchObject({ status: 'resolved', resolution: 'approved', approvedBy: ['u-1'] });
      expect(view.finalDecision).toMatchObject({ verdict: 'allow', decidedBy: 'human', reviewers: ['u-1'] });
      expect(db.outboxRows().map((r) => r.type)).toEqual([
        EventTypes.EscalationOpened,
        EventTypes.IntentDecided,
        EventTypes.EscalationResolved,
      ]);
      expect(notifier.notices.at(-1)?.text).toMatch(/approved by u-1$/);
      expect((await failure(review.approve(reviewer('u-1', ['service-reviewers']), task.id, {}))).code).toBe(
        'closed',
      );
    });

    it('needs two distinct approvers on a four-eyes route, and never the agent owner', async () => {
      const { review, open, db } = escalationUnderTest();
      const task = await open(large({ owner: 'u-owner' }));
      const leads = (id: string) => reviewer(id, ['service-leads']);
      expect((await failure(review.approve(leads('u-owner'), task.id, {}))).code).toBe('forbidden');
      const first = await review.approve(leads('u-1'), task.id, {});
      expect(first).toMatchObject({ status: 'open', approvedBy: ['u-1'] });
      expect(first.history.at(-1)?.what).toBe('approved (1 of 2)');
      expect((await failure(review.approve(leads('u-1'), task.id, {}))).code).toBe('conflict');
      const second = await review.approve(leads('u-2'), task.id, {});
      expect(second).toMatchObject({ status: 'resolved', resolution: 'approved' });
      expect(second.finalDecision?.reviewers).toEqual(['u-1', 'u-2']);
      expect(db.outboxRows().filter((r) => r.type === EventTypes.IntentDecided)).toHaveLength(1);
    });

    it('approves with changes after guardrail re-checked them: a modify decision with the edited params', async () => {
      const { review, open, guardrail } = escalationUnderTest();
      const task = await open(small());
      const view = await review.approve(reviewer('u-1', ['service-reviewers']), task.id, {
        params: { amount: 100 },
      });
      expect(guardrail.previews).toEqual([
        { agent: expect.objectContaining({ id: 'svc-agent-1' }), params: { amount: 100 } },
      ]);
      expect(view).toMatchObject({ resolution: 'modified' });
      expect(view.finalDecision).toMatchObject({ verdict: 'modify', modifiedParams: { amount: 100 } });
    });

    it('refuses an edit guardrail would deny (422) and says so when guardrail cannot be asked (503)', async () => {
      const { review, open, guardrail, db } = escalationUnderTest();
      const task = await open(small());
      guardrail.answer = {
        verdict: 'deny',
        reasons: [
          {
            policyId: 'retail.refunds',
            policyVersion: '3',
            message: 'too much',
            effect: 'deny',
            mode: 'enforce',
          },
        ],
      };
      const refused = await failure(
        review.approve(reviewer('u-1', ['service-reviewers']), task.id, { params: { amount: 99 } }),
      );
      expect(refused.code).toBe('refused');
      expect(refused.details).toMatchObject({ verdict: 'deny', reasons: [{ message: 'too much' }] });
      guardrail.answer = new Error('connect ECONNREFUSED');
      expect(
        (
          await failure(
            review.approve(reviewer('u-1', ['service-reviewers']), task.id, { params: { amount: 99 } }),
          )
        ).code,
      ).toBe('unavailable');
      expect(db.task(task.id)).toMatchObject({ status: 'open', approvals: [] });
    });

    it('moves a task whose edit routes elsewhere: new route, first tier, fresh SLA, approvals from its groups', async () => {
      const { review, open, db, clock, notifier } = escalationUnderTest();
      const task = await open(small());
      clock.advance(5000);
      const view = await review.approve(reviewer('u-1', ['service-reviewers']), task.id, {
        params: { amount: 900 },
      });
      expect(view).toMatchObject({
        status: 'open',
        route: 'large-refunds',
        group: 'service-leads',
        tier: 0,
        fourEyes: true,
        approvedBy: [],
      });
      expect(db.task(task.id)?.due_at).toEqual(new Date(clock.now().getTime() + 30_000));
      expect(view.history.map((h) => h.what)).toEqual([
        'opened on route customer-service for service-reviewers',
        expect.stringMatching(
          /^the edit by u-1 moves the task from route customer-service to route large-refunds/,
        ),
        'proposed changes; route large-refunds needs approvals from service-leads or service-directors',
      ]);
      expect(notifier.notices.at(-1)?.text).toMatch(/moved to route large-refunds by an edit of u-1/);
    });

    it('rejects: a deny decision by the reviewer, with the comment', async () => {
      const { review, open } = escalationUnderTest();
      const task = await open(small());
      expect((await failure(review.reject(reviewer('u-3', ['supply-chain']), task.id, {}))).code).toBe(
        'forbidden',
      );
      const view = await review.reject(reviewer('u-1', ['service-reviewers']), task.id, {
        comment: 'no proof',
      });
      expect(view).toMatchObject({ status: 'resolved', resolution: 'rejected' });
      expect(view.finalDecision).toMatchObject({ verdict: 'deny', reviewers: ['u-1'] });
      expect(view.finalDecision?.reasons[0].message).toBe('rejected by u-1: no proof');
    });

    it('lets the operator decide outside the groups by break-glass: logged and marked', async () => {
      const { review, open, logger } = escalationUnderTest();
      const task = await open(small());
      const view = await review.reject(operator, task.id, {});
      expect(view.finalDecision?.reasons[0].message).toBe('rejected by op-1 (break-glass)');
      expect(logger.warnings).toEqual([
        expect.objectContaining({ msg: 'break-glass: the operator decides outside the route groups' }),
      ]);
    });

    it('leaves the task as it was when the resolution cannot be written', async () => {
      const { review, open, db } = escalationUnderTest();
      const task = await open(small());
      db.failNext('addToOutbox');
      await expect(review.approve(reviewer('u-1', ['service-reviewers']), task.id, {})).rejects.toThrow();
      expect(db.task(task.id)).toMatchObject({ status: 'open', approvals: [], final_decision: null });
      expect(db.outboxRows()).toHaveLength(1);
    });
  });
});
