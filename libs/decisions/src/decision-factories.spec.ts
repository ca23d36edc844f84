import { IntentDecidedV1 } from '@agentops/contracts';
import {
  PlatformPolicies,
  SwitchRef,
  deadlineDenial,
  decided,
  denyReason,
  failClosedDenial,
  humanDecision,
  isFailClosed,
  killSwitchDenial,
  killSwitchReason,
  platformDenial,
  policyDecision,
} from './decision-factories';

const subject = {
  intentId: '0190a0a0-0000-7000-8000-0000000000aa',
  agentId: 'pricing-1',
  action: 'pricing.set_price',
};
const now = new Date('2026-12-01T10:00:00.000Z');
const hit: SwitchRef = {
  switchId: '0190a0a0-0000-7000-8000-000000000001',
  reason: 'runaway repricing',
  selector: { tenantId: 'maison', role: 'pricing' },
  actor: 'sre:alice',
};

/** Every factory's output must be a valid decision event payload. */
function valid(decision: IntentDecidedV1): IntentDecidedV1 {
  return IntentDecidedV1.parse(decision);
}

describe('decided', () => {
  it('answers the subject and expires ttlMs after it is made', () => {
    const d = valid(decided(subject, failClosedDenial(800), now, 60_000));
    expect(d).toMatchObject(subject);
    expect(d.decidedAt).toBe('2026-12-01T10:00:00.000Z');
    expect(d.expiresAt).toBe('2026-12-01T10:01:00.000Z');
  });

  it('expires as it is made by default (a deny an agent must not cache)', () => {
    const d = decided(subject, failClosedDenial(800), now);
    expect(d.expiresAt).toBe(d.decidedAt);
  });

  it('fills in no obligations when the body names none', () => {
    const { obligations: _ignored, ...body } = failClosedDenial(1);
    expect(decided(subject, body as never, now).obligations).toEqual([]);
  });
});

describe('failClosedDenial', () => {
  it('is a deny by timeout naming the wait', () => {
    const d = valid(decided(subject, failClosedDenial(1500), now));
    expect(d.verdict).toBe('deny');
    expect(d.decidedBy).toBe('timeout');
    expect(d.reasons).toEqual([
      {
        policyId: 'agentops.fail-closed',
        policyVersion: '1',
        message: 'no decision within 1500 ms',
        effect: 'deny',
        mode: 'enforce',
      },
    ]);
    expect(d.decisionSource).toBeUndefined();
  });
});

describe('killSwitchDenial', () => {
  it('is a deny by the switch, naming it, its cohort and who flipped it', () => {
    const d = valid(decided(subject, killSwitchDenial(hit), now));
    expect(d).toMatchObject({
      verdict: 'deny',
      decidedBy: 'killswitch',
      decisionSource: `killswitch:${hit.switchId}`,
      obligations: [],
    });
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0].policyId).toBe(`killswitch:${hit.switchId}`);
    expect(d.reasons[0].message).toBe(
      `halted by kill switch ${hit.switchId} (tenant=maison role=pricing) flipped by sre:alice: runaway repricing`,
    );
  });

  it('bounds the reason to what the contract accepts', () => {
    const r = killSwitchReason({ ...hit, reason: 'x'.repeat(5000) });
    expect(r.message).toHaveLength(2000);
    expect(() =>
      valid(decided(subject, killSwitchDenial({ ...hit, reason: 'x'.repeat(5000) }), now)),
    ).not.toThrow();
  });
});

describe('platform denials', () => {
  it('name the rule, the decider and the source', () => {
    const d = valid(
      decided(
        subject,
        platformDenial('permissions', PlatformPolicies.agentScopes, 'lacks scope', 'scopes'),
        now,
      ),
    );
    expect(d).toMatchObject({ verdict: 'deny', decidedBy: 'permissions', decisionSource: 'scopes' });
    expect(d.reasons).toEqual([denyReason('agentops.agent-scopes', 'lacks scope')]);
  });

  it('a late intent is denied by timeout, from the deadline rule', () => {
    const d = valid(decided(subject, deadlineDenial(), now));
    expect(d).toMatchObject({ verdict: 'deny', decidedBy: 'timeout', decisionSource: 'deadline' });
    expect(d.reasons[0].policyId).toBe('agentops.decision-deadline');
  });
});

describe('policyDecision', () => {
  const reason = {
    policyId: 'retail.price-floor',
    policyVersion: '3',
    message: 'below the floor',
    effect: 'deny' as const,
    mode: 'enforce' as const,
  };
  const evaluation = {
    verdict: 'deny' as const,
    reasons: [reason],
    obligations: [],
    matched: [],
    shadowVerdict: 'deny' as const,
    versions: { baseline: 'b7', tenant: 't2' },
  };

  it("is decided by policy, named by both layers' versions, with the shadow verdict beside it", () => {
    const decision = valid(decided(subject, policyDecision(evaluation), now));
    expect(decision).toMatchObject({
      verdict: 'deny',
      reasons: [reason],
      decidedBy: 'policy',
      decisionSource: 'policy-set:b7+tenant:t2',
      policySetVersions: { baseline: 'b7', tenant: 't2' },
      shadowVerdict: 'deny',
    });
    expect(decision).not.toHaveProperty('grounding');
  });

  it('carries a modification and the checked claims when the evaluation has them', () => {
    const grounding = { kbVersion: 4, claims: [], omitted: 0 };
    const body = policyDecision({
      ...evaluation,
      verdict: 'modify',
      reasons: [],
      modifiedParams: { price: 120 },
      versions: { baseline: 'b7' },
      grounding,
    });
    expect(body).toMatchObject({
      verdict: 'modify',
      modifiedParams: { price: 120 },
      decisionSource: 'policy-set:b7',
      grounding,
    });
  });
});

describe('humanDecision', () => {
  const escalatedReasons = [
    {
      policyId: 'pricing-guard',
      policyVersion: '7',
      message: 'big drop',
      effect: 'escalate' as const,
      mode: 'enforce' as const,
    },
  ];
  const base = {
    reviewers: ['rev:bob'],
    route: 'flagship',
    taskId: 'task-1',
    escalatedReasons,
    message: 'approved by rev:bob',
  };

  it("puts the reviewer's reason before why it escalated and names the task", () => {
    const d = valid(
      decided(subject, humanDecision({ ...base, verdict: 'allow', decidedBy: 'human' }), now, 1000),
    );
    expect(d).toMatchObject({
      verdict: 'allow',
      decidedBy: 'human',
      decisionSource: 'escalation:flagship:task-1',
      reviewers: ['rev:bob'],
    });
    expect(d.reasons.map((r) => [r.policyId, r.effect])).toEqual([
      ['agentops.escalation.review', 'allow'],
      ['pricing-guard', 'escalate'],
    ]);
  });

  it('carries edited params on a modify', () => {
    const d = valid(
      decided(
        subject,
        humanDecision({ ...base, verdict: 'modify', decidedBy: 'human', modifiedParams: { price: 90 } }),
        now,
      ),
    );
    expect(d.modifiedParams).toEqual({ price: 90 });
    expect(d.reasons[0].effect).toBe('modify');
  });

  it('an SLA outcome is decided by timeout under the SLA rule; an escalate outcome denies', () => {
    const d = valid(
      decided(
        subject,
        humanDecision({ ...base, reviewers: [], verdict: 'escalate', decidedBy: 'timeout' }),
        now,
      ),
    );
    expect(d.decidedBy).toBe('timeout');
    expect(d.reasons[0]).toMatchObject({ policyId: 'agentops.escalation.sla', effect: 'deny' });
  });
});

describe('isFailClosed', () => {
  it('is true of the fail-closed and deadline denies only, not of other timeouts or denies', () => {
    expect(isFailClosed(failClosedDenial(2000))).toBe(true);
    expect(isFailClosed(deadlineDenial())).toBe(true);
    const slaTimeout = humanDecision({
      verdict: 'deny',
      decidedBy: 'timeout',
      reviewers: [],
      route: 'flagship',
      taskId: 'task-1',
      escalatedReasons: [],
      message: 'no review within the SLA',
    });
    expect(slaTimeout.decidedBy).toBe('timeout');
    expect(isFailClosed(slaTimeout)).toBe(false);
    expect(isFailClosed(platformDenial('policy', PlatformPolicies.failClosed, 'not a timeout', 'x'))).toBe(
      false,
    );
  });
});
