import {
  EMPTY_AUDIT_SEARCH,
  buildAuditQuery,
  fieldsFromQuery,
  parseAuditSearch,
  stepTitle,
  storyOrder,
} from './audit';

const ID = '0f6c1c1e-7f3a-4b1e-9d9e-1234567890ab';

describe('buildAuditQuery', () => {
  it('drops empty fields and maps short event types', () => {
    expect(
      buildAuditQuery({
        ...EMPTY_AUDIT_SEARCH,
        correlationId: ` ${ID.toUpperCase()} `,
        type: 'intent.decided',
        verdict: 'Deny',
      }),
    ).toEqual({
      ok: true,
      query: { correlationId: ID, type: 'agentops.intent.decided.v1', verdict: 'deny' },
    });
  });
  it('turns times into ISO and checks the range', () => {
    const r = buildAuditQuery({
      ...EMPTY_AUDIT_SEARCH,
      from: '2026-11-24T10:00:00Z',
      to: '2026-11-24T12:00:00+01:00',
    });
    expect(r).toEqual({
      ok: true,
      query: { from: '2026-11-24T10:00:00.000Z', to: '2026-11-24T11:00:00.000Z' },
    });
    const local = buildAuditQuery({ ...EMPTY_AUDIT_SEARCH, from: '2026-11-24T10:00' });
    expect(local).toEqual({ ok: true, query: { from: new Date('2026-11-24T10:00').toISOString() } });
    const backwards = buildAuditQuery({
      ...EMPTY_AUDIT_SEARCH,
      from: '2026-11-24T12:00:00Z',
      to: '2026-11-24T10:00:00Z',
    });
    expect(backwards).toEqual({ ok: false, errors: [{ field: 'to', message: '"to" must be after "from"' }] });
  });
  it('names bad fields', () => {
    const r = buildAuditQuery({
      ...EMPTY_AUDIT_SEARCH,
      correlationId: 'abc',
      verdict: 'maybe',
      from: 'yesterday',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['correlationId', 'verdict', 'from']);
  });
});

describe('parseAuditSearch', () => {
  it('reads key:value tokens', () => {
    const { fields, unknown } = parseAuditSearch(
      'agent:px-1 verdict:deny type:intent.decided since:2026-11-24T10:00Z',
    );
    expect(fields).toEqual({
      ...EMPTY_AUDIT_SEARCH,
      agentId: 'px-1',
      verdict: 'deny',
      type: 'intent.decided',
      from: '2026-11-24T10:00Z',
    });
    expect(unknown).toEqual([]);
  });
  it('recognises bare ids, verdicts, event types and actions', () => {
    const { fields, unknown } = parseAuditSearch(`${ID} escalate pricing.set_price outcome.verified hello`);
    expect(fields).toEqual({
      ...EMPTY_AUDIT_SEARCH,
      correlationId: ID,
      verdict: 'escalate',
      action: 'pricing.set_price',
      type: 'outcome.verified',
    });
    expect(unknown).toEqual(['hello']);
  });
  it('round-trips through a query', () => {
    const q = buildAuditQuery({ ...EMPTY_AUDIT_SEARCH, type: 'escalation.opened', agentId: 'rp-2' });
    expect(q.ok && fieldsFromQuery(q.query)).toEqual({
      ...EMPTY_AUDIT_SEARCH,
      type: 'escalation.opened',
      agentId: 'rp-2',
    });
  });
});

describe('the story of an intent', () => {
  const rec = (type: string, eventTime: string, extra: object = {}) => ({
    eventId: `${type}-${eventTime}`,
    type: `agentops.${type}.v1`,
    eventTime,
    recordedAt: eventTime,
    ...extra,
  });
  it('orders by time, ties in life order', () => {
    const story = storyOrder([
      rec('outcome.reported', '2026-11-24T10:00:05Z'),
      rec('escalation.opened', '2026-11-24T10:00:01Z'),
      rec('intent.decided', '2026-11-24T10:00:01Z'),
      rec('intent.proposed', '2026-11-24T10:00:00Z'),
    ]);
    expect(story.map((r) => r.type)).toEqual([
      'agentops.intent.proposed.v1',
      'agentops.intent.decided.v1',
      'agentops.escalation.opened.v1',
      'agentops.outcome.reported.v1',
    ]);
  });
  it('titles each step', () => {
    expect(stepTitle(rec('intent.proposed', 't'))).toBe('Proposed');
    expect(stepTitle(rec('intent.decided', 't', { verdict: 'escalate', decidedBy: 'policy' }))).toBe(
      'Decided: escalate (policy)',
    );
    expect(stepTitle(rec('escalation.resolved', 't', { payload: { resolution: 'timed_out' } }))).toBe(
      'Escalation resolved: timed out',
    );
    expect(stepTitle(rec('outcome.verified', 't', { payload: { violation: true } }))).toBe(
      'Verified: violation',
    );
    expect(stepTitle(rec('killswitch.changed', 't'))).toBe('killswitch changed');
  });
});
