import { IntentDeniedError } from '@agentops/sdk';
import type { Decision } from '@agentops/sdk';
import { Tally } from './tally';

function denied(over: Partial<Decision>): IntentDeniedError {
  return new IntentDeniedError({
    intentId: 'i',
    agentId: 'a',
    action: 'service.issue_refund',
    verdict: 'deny',
    reasons: [{ policyId: 'p', policyVersion: '1', message: 'm', effect: 'deny', mode: 'enforce' }],
    obligations: [],
    decidedBy: 'policy',
    decidedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T00:00:00.000Z',
    ...over,
  });
}

describe('simulation tally: escalations are pending review first, then an outcome', () => {
  it('counts the pending review once, then what the human or the SLA decided', () => {
    const tally = new Tally();
    const type = 'customer service';
    tally.pendingReview(type);
    tally.executed(type, 'allow', 'human', true);
    tally.pendingReview(type);
    tally.failed(type, denied({ decidedBy: 'human' }), true);
    tally.pendingReview(type);
    tally.failed(type, denied({ decidedBy: 'timeout', reasons: [] }), true);
    tally.pendingReview(type);
    tally.failed(
      type,
      denied({
        decidedBy: 'timeout',
        reasons: [
          { policyId: 'sdk.fail-closed', policyVersion: '1', message: 'x', effect: 'deny', mode: 'enforce' },
        ],
      }),
      true,
    );
    tally.failed(type, denied({}));
    expect(tally.byType.get(type)).toMatchObject({
      intents: 5,
      escalated: 4,
      escalationsApproved: 1,
      escalationsRejected: 1,
      escalationsTimedOut: 1,
      escalationsUnanswered: 1,
      allowed: 1,
      denied: 4,
    });
  });

  it('a fail-closed deny that was never pending review is no escalation', () => {
    const tally = new Tally();
    tally.failed('replenishment', denied({ decidedBy: 'timeout' }));
    expect(tally.byType.get('replenishment')).toMatchObject({
      escalated: 0,
      escalationsTimedOut: 0,
      denied: 1,
    });
  });
});
