import { EventEnvelope, EventTypes } from '@agentops/contracts';
import { PayloadPrivacy } from './payload-privacy';
import { auditablePayload } from './auditable-payload';

const dlq = (value: Buffer | null): EventEnvelope => ({
  id: '0190a0a0-0000-7000-8000-000000000009',
  source: 'agentops/guardrail',
  type: EventTypes.MessageDeadLettered,
  specversion: '1.0',
  time: '2026-01-01T00:00:00.000Z',
  tenantid: 't1',
  data: {
    reason: 'malformed',
    error: 'x',
    originalValueBase64: value ? value.toString('base64') : null,
    originalHeaders: {},
  },
});

describe('auditablePayload', () => {
  it('decodes a dead letter body so privacy treatment sees the personal data inside', () => {
    const body = Buffer.from(JSON.stringify({ justification: 'refund jane@example.com' }));
    const payload = auditablePayload(dlq(body));
    expect(payload).toMatchObject({ originalValue: { justification: 'refund jane@example.com' } });
    expect(JSON.stringify(payload)).not.toContain(body.toString('base64'));
    const treated = new PayloadPrivacy('s'.repeat(40)).scan('t1', payload);
    expect(JSON.stringify(treated.payload)).not.toContain('jane@example.com');
  });

  it('keeps non-JSON text as text and drops binary bodies', () => {
    expect(auditablePayload(dlq(Buffer.from('not json, call +44 20 7946 0958')))).toMatchObject({
      originalText: 'not json, call +44 20 7946 0958',
    });
    expect(auditablePayload(dlq(Buffer.from([0xff, 0xfe, 0x00])))).toMatchObject({
      originalValue: null,
      originalBinaryBytes: 3,
    });
    expect(auditablePayload(dlq(null))).toMatchObject({ originalValue: null });
  });

  it('leaves other events as they are', () => {
    const e = { ...dlq(null), type: EventTypes.IntentProposed, data: { a: 1 } };
    expect(auditablePayload(e)).toBe(e.data);
  });
});
