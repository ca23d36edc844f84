import {
  DataAccessAgentReport,
  dataAccessReportHtml,
  dataAccessReportLines,
  exposureLine,
} from './data-access';

const agent = (over: Partial<DataAccessAgentReport> = {}): DataAccessAgentReport => ({
  scenario: 'sweep',
  agentId: 'service-sweep-1',
  description: 'sweeping',
  usualRecordsPerIntent: 4,
  badRecordsPerIntent: 100,
  turnedBadAfterMs: 30_000,
  detection: {
    afterMs: 1200,
    records: 300,
    detector: 'ewma',
    feature: 'records',
    severity: 'high',
    message: 'records 300 over 3 intents',
  },
  containment: { afterMs: 1500, records: 400, switchId: '0190a0a0-0000-7000-8000-000000000001' },
  haltedBy: null,
  recordsWhileBad: 400,
  intents: 50,
  halted: true,
  ...over,
});

describe('the data-access report section', () => {
  it('says when each agent was detected and contained, and how many records it had read by then', () => {
    expect(exposureLine(agent())).toBe(
      'detected 1.2 s after it started, 300 records read by then (high records/ewma); quarantined 1.5 s after it started, 400 records exposed before containment; 4.0 → 100.0 records per intent',
    );
    expect(exposureLine(agent({ containment: null }))).toMatch(/not quarantined \(an alert/);
    expect(exposureLine(agent({ detection: null, containment: null }))).toBe(
      'NOT detected (4.0 → 100.0 records per intent; 400 records read while bad)',
    );
    // A breaker that halted it first is named, with what it had read by then.
    const breaker = {
      afterMs: 9000,
      records: 355,
      actor: 'breaker',
      reason: 'unusual volume of customer records read',
    };
    expect(exposureLine(agent({ detection: null, containment: null, haltedBy: breaker }))).toBe(
      'NOT detected (4.0 → 100.0 records per intent; 400 records read while bad); halted first by another kill switch (breaker: unusual volume of customer records read) 9.0 s after it started, 355 records read by then',
    );
  });

  it('prints one line per agent and renders the table with the same numbers', () => {
    const report = {
      agents: [agent(), agent({ scenario: 'slow leak', agentId: 'service-leak-1' })],
      problems: ['x'],
    };
    const lines = dataAccessReportLines(report);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^ {2}slow leak \(service-leak-1\): detected/);
    const html = dataAccessReportHtml(
      report,
      (s) => String(s),
      (head, body) => [head, ...body].map((r) => r.join('|')).join('\n'),
    );
    expect(html).toContain('1.5 s · 400 records · 0190a0a0');
    expect(html).toContain('<p class="ko">x</p>');
  });
});
