import { EventEnvelope, IntentDecidedV1 } from '@agentops/contracts';
import { decisionSpan, uuidV7Millis } from './platform-spans';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
// UUIDv7 of 2026-03-02T09:00:00.000Z (0x019cadc69a80 ms).
const INTENT = '019cadc6-9a80-7000-8000-000000000001';

function decision(over: Partial<EventEnvelope<IntentDecidedV1>> = {}): EventEnvelope<IntentDecidedV1> {
  return {
    id: '019cadc6-9a80-7000-8000-000000000002',
    source: 'agentops/guardrail',
    type: 'agentops.intent.decided.v1',
    specversion: '1.0',
    time: '2026-03-02T09:00:00.250Z',
    tenantid: 'maison',
    agentid: 'pricing-1',
    traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
    data: {
      intentId: INTENT,
      agentId: 'pricing-1',
      action: 'pricing.set_price',
      verdict: 'deny',
      reasons: [{ policyId: 'retail.floor', policyVersion: '3', message: 'below floor', effect: 'deny' }],
      obligations: [],
      decidedBy: 'policy',
      policySetVersions: { baseline: 'b-7' },
      decidedAt: '2026-03-02T09:00:00.250Z',
      expiresAt: '2026-03-02T09:05:00.000Z',
    },
    ...over,
  } as EventEnvelope<IntentDecidedV1>;
}

describe('decisionSpan', () => {
  it('is a span of the decision event’s trace, from the intent’s proposal (its UUIDv7) to the decision', () => {
    expect(uuidV7Millis(INTENT)).toBe(Date.parse('2026-03-02T09:00:00.000Z'));
    const span = decisionSpan(decision())!;
    expect(span).toMatchObject({
      traceId: TRACE,
      parentSpanId: '00f067aa0ba902b7',
      name: 'decision deny (policy)',
      startTimeUnixNano: `${Date.parse('2026-03-02T09:00:00.000Z')}000000`,
      endTimeUnixNano: `${Date.parse('2026-03-02T09:00:00.250Z')}000000`,
      status: { code: 'error' },
      resource: { 'service.name': 'guardrail' },
    });
    // Its own id, stable for the event: the send span it hangs under keeps its row.
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toBe('00f067aa0ba902b7');
    expect(decisionSpan(decision())!.spanId).toBe(span.spanId);
    expect(decisionSpan(decision({ id: '019cadc6-9a80-7000-8000-000000000003' }))!.spanId).not.toBe(
      span.spanId,
    );
    expect(span.attributes).toMatchObject({
      'agentops.decision.verdict': 'deny',
      'agentops.decision.policy_ids': ['retail.floor'],
      'agentops.decision.policy_set.baseline': 'b-7',
      'agentops.intent.id': INTENT,
    });
  });

  it('is none for an event without a usable trace context', () => {
    expect(decisionSpan(decision({ traceparent: undefined }))).toBeNull();
    expect(decisionSpan(decision({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }))).toBeNull();
  });
});
