import {
  approvalSummary,
  latestApprovalParams,
  parseParams,
  slaState,
  summariseQueues,
  whyReason,
} from './escalations';

const now = Date.parse('2026-11-24T12:00:00Z');
const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

describe('slaState', () => {
  it('is overdue at or past the deadline', () => {
    expect(slaState(at(-1), now)).toBe('overdue');
    expect(slaState(at(0), now)).toBe('overdue');
  });
  it('is due soon within 15 minutes, on time after', () => {
    expect(slaState(at(5), now)).toBe('due-soon');
    expect(slaState(at(15), now)).toBe('due-soon');
    expect(slaState(at(16), now)).toBe('on-time');
  });
  it('has no SLA without a deadline', () => {
    expect(slaState(null, now)).toBe('no-sla');
    expect(slaState('garbage', now)).toBe('no-sla');
  });
});

describe('summariseQueues', () => {
  it('groups open tasks by route, worst first', () => {
    const q = summariseQueues(
      [
        { route: 'pricing', group: 'pricing-desk', status: 'open', dueAt: at(60) },
        { route: 'pricing', group: 'pricing-desk', status: 'open', dueAt: at(60) },
        { route: 'pricing', group: 'pricing-desk', status: 'open', dueAt: at(90) },
        { route: 'refunds', group: 'cs-leads', status: 'open', dueAt: at(-3) },
        { route: 'refunds', group: 'cs', status: 'open', dueAt: at(10) },
        { route: 'refunds', group: 'cs', status: 'resolved', dueAt: at(-30) },
        { route: 'default', group: 'ops', status: 'open', dueAt: null },
      ],
      now,
    );
    expect(q.map((x) => [x.route, x.count, x.overdue, x.dueSoon, x.state])).toEqual([
      ['refunds', 2, 1, 1, 'overdue'],
      ['pricing', 3, 0, 0, 'on-time'],
      ['default', 1, 0, 0, 'no-sla'],
    ]);
    expect(q[0].groups).toEqual(['cs-leads', 'cs']);
    expect(q[0].nextDueAt).toBe(at(-3));
  });
});

describe('approvalSummary', () => {
  const base = {
    status: 'open',
    fourEyes: true,
    approvals: [] as { by: string }[],
    agent: { owner: 'olga' },
  };
  it('explains four-eyes progress', () => {
    expect(approvalSummary({ ...base, approvals: [{ by: 'rita' }] }, 'sam')).toEqual({
      text: '1 of 2 approvals; needs a different reviewer',
      given: 1,
      required: 2,
      canApprove: true,
      blockedBecause: undefined,
    });
    expect(approvalSummary(base, 'sam').text).toBe('0 of 2 approvals; four-eyes: two different reviewers');
    expect(approvalSummary({ ...base, fourEyes: false }, 'sam').text).toBe('0 of 1 approval');
  });
  it('blocks the owner, a repeat approver and closed tasks', () => {
    expect(approvalSummary(base, 'olga').blockedBecause).toBe('you own this agent');
    expect(approvalSummary({ ...base, approvals: [{ by: 'sam' }] }, 'sam').canApprove).toBe(false);
    expect(approvalSummary({ ...base, status: 'resolved' }, 'sam').blockedBecause).toBe(
      'the task is resolved',
    );
  });
});

describe('parseParams', () => {
  it('accepts a JSON object', () => {
    expect(parseParams('{"price": 2150, "currency": "EUR"}')).toEqual({
      ok: true,
      params: { price: 2150, currency: 'EUR' },
    });
  });
  it('refuses anything else with a reason', () => {
    expect(parseParams('[1,2]')).toEqual({
      ok: false,
      message: 'params must be a JSON object, e.g. {"price": 2150}',
    });
    const bad = parseParams('{price: 1}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^params are not valid JSON/);
  });
});

describe('whyReason', () => {
  const r = (effect: string, message: string, mode?: string) => ({ effect, message, mode });
  it('prefers the enforced escalate reason over warn, modify and shadow reasons', () => {
    expect(
      whyReason([
        r('allow', 'scope ok'),
        r('modify', 'price capped'),
        r('escalate', 'shadow escalate', 'shadow'),
        r('escalate', 'agent is not confident enough', 'enforce'),
      ])?.message,
    ).toBe('agent is not confident enough');
    expect(whyReason([r('warn', 'unusual hour'), r('escalate', 'big refund')])?.message).toBe('big refund');
  });
  it('falls back to the first non-allow reason, then the first', () => {
    expect(whyReason([r('allow', 'ok'), r('escalate', 'shadow only', 'shadow')])?.message).toBe(
      'shadow only',
    );
    expect(whyReason([r('allow', 'ok'), r('allow', 'fine')])?.message).toBe('ok');
    expect(whyReason([])).toBeUndefined();
  });
});

describe('latestApprovalParams', () => {
  it('is the latest approval that edited the params', () => {
    expect(
      latestApprovalParams([{ params: { price: 2100 } }, { params: { price: 2150 } }, { params: undefined }]),
    ).toEqual({ price: 2150 });
  });
  it('is undefined when no approval edited them', () => {
    expect(latestApprovalParams([{}, { params: null }])).toBeUndefined();
    expect(latestApprovalParams([])).toBeUndefined();
  });
});
