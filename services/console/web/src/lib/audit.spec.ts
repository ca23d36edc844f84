import {
  EMPTY_AUDIT_SEARCH,
  buildAuditQuery,
  collectPages,
  fieldsFromQuery,
  parseAuditSearch,
  stepTitle,
  storyOrder,
  toIsoTime,
  toLocalInput,
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

describe('times', () => {
  it('reads a date alone as local midnight, like the same date at 00:00', () => {
    expect(toIsoTime('2026-11-24')).toBe(new Date(2026, 10, 24, 0, 0, 0).toISOString());
    expect(toIsoTime('2026-11-24')).toBe(toIsoTime('2026-11-24T00:00'));
    expect(buildAuditQuery({ ...EMPTY_AUDIT_SEARCH, from: '2026-11-24', to: '2026-11-25' })).toEqual({
      ok: true,
      query: {
        from: new Date(2026, 10, 24).toISOString(),
        to: new Date(2026, 10, 25).toISOString(),
      },
    });
  });
  it('keeps zoned times and refuses nonsense', () => {
    expect(toIsoTime('2026-11-24T10:00:00+01:00')).toBe('2026-11-24T09:00:00.000Z');
    expect(toIsoTime('2026-11-24T10:00:00Z')).toBe('2026-11-24T10:00:00.000Z');
    expect(toIsoTime('yesterday')).toBeUndefined();
    expect(toIsoTime('  ')).toBeUndefined();
  });
  it('shows an ISO time in the local input with its seconds, and round-trips', () => {
    const iso = new Date(2026, 10, 24, 10, 5, 7).toISOString();
    expect(toLocalInput(iso)).toBe('2026-11-24T10:05:07');
    expect(toIsoTime(toLocalInput(iso))).toBe(iso);
    const withMs = new Date(2026, 10, 24, 10, 5, 7, 250).toISOString();
    expect(toLocalInput(withMs)).toBe('2026-11-24T10:05:07.250');
    expect(toIsoTime(toLocalInput(withMs))).toBe(withMs);
    expect(toLocalInput('not a time')).toBe('not a time');
  });
});

describe('filters the form has no field for', () => {
  it('pass from the hash through to the query', () => {
    const fields = fieldsFromQuery({
      agentId: 'px-1',
      decidedBy: 'human',
      actorKind: 'human',
      subject: 'customer_0123456789abcdef0123456789abcdef',
      tenantId: 'acme',
      bogus: 'x',
    });
    expect(fields.extra).toEqual({
      decidedBy: 'human',
      actorKind: 'human',
      subject: 'customer_0123456789abcdef0123456789abcdef',
      tenantId: 'acme',
    });
    expect(buildAuditQuery(fields)).toEqual({
      ok: true,
      query: {
        agentId: 'px-1',
        decidedBy: 'human',
        actorKind: 'human',
        subject: 'customer_0123456789abcdef0123456789abcdef',
        tenantId: 'acme',
      },
    });
  });
  it('checks the actor kind', () => {
    const r = buildAuditQuery({ ...EMPTY_AUDIT_SEARCH, extra: { actorKind: 'robot' } });
    expect(r).toEqual({
      ok: false,
      errors: [{ field: 'actorKind', message: 'agent, human, breaker, system' }],
    });
    expect(buildAuditQuery({ ...EMPTY_AUDIT_SEARCH, extra: { actorKind: 'Human ' } })).toEqual({
      ok: true,
      query: { actorKind: 'human' },
    });
  });
  it('are read from the quick search too', () => {
    const { fields, unknown } = parseAuditSearch('decidedby:human actor:breaker tenant:acme subject:s1');
    expect(unknown).toEqual([]);
    expect(fields.extra).toEqual({
      decidedBy: 'human',
      actorKind: 'breaker',
      tenantId: 'acme',
      subject: 's1',
    });
    expect(EMPTY_AUDIT_SEARCH.extra).toEqual({});
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

describe('collectPages', () => {
  const pages: Record<string, { records: number[]; next: string | null }> = {
    start: { records: [1, 2], next: 'c2' },
    c2: { records: [3, 4], next: 'c3' },
    c3: { records: [5], next: null },
  };
  const fetchPage = jest.fn(async (cursor: string | undefined) => pages[cursor ?? 'start']);
  beforeEach(() => fetchPage.mockClear());

  it('follows the cursor to the end', async () => {
    expect(await collectPages(fetchPage, 10)).toEqual({ records: [1, 2, 3, 4, 5], next: null });
    expect(fetchPage.mock.calls.map((c) => c[0])).toEqual([undefined, 'c2', 'c3']);
  });
  it('stops after maxPages and says where to go on from', async () => {
    expect(await collectPages(fetchPage, 2)).toEqual({ records: [1, 2, 3, 4], next: 'c3' });
    expect(await collectPages(fetchPage, 2, 'c3')).toEqual({ records: [5], next: null });
  });
});
