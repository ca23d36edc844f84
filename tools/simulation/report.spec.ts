import { ExampleSpan, printReport, traceBars, traceLink } from './report';
import { AGENT_TYPES } from './tally';

const at = (ms: number) => String(BigInt(1_764_684_000_000 + ms) * 1_000_000n);
const span = (spanId: string, parentSpanId: string | null, from: number, to: number): ExampleSpan => ({
  spanId,
  parentSpanId,
  name: spanId,
  source: 'agent',
  startTimeUnixNano: at(from),
  endTimeUnixNano: at(to),
  status: { code: 'unset' },
});

describe('the report’s example trace', () => {
  it('lays spans out in tree order with offsets and widths of the whole trace', () => {
    const bars = traceBars([
      span('llm', 'agent', 100, 600),
      span('decision', null, 0, 1000),
      span('agent', null, 50, 900),
    ]);
    expect(bars.map((b) => [b.span.spanId, b.depth])).toEqual([
      ['decision', 0],
      ['agent', 0],
      ['llm', 1],
    ]);
    expect(bars[2]).toMatchObject({ offset: 0.1, width: 0.5, ms: 500 });
  });

  it('keeps an instant visible', () => {
    const [, mark] = traceBars([span('root', null, 0, 1000), span('mark', null, 1000, 1000)]);
    expect(mark!.width).toBeGreaterThan(0);
    expect(mark!.offset).toBeLessThan(1);
  });

  it('links a trace to the console’s Traces page', () => {
    expect(traceLink('http://127.0.0.1:3000/', 'ab'.repeat(16))).toBe(
      `http://127.0.0.1:3000/#/traces/${'ab'.repeat(16)}`,
    );
  });
});

describe('printReport', () => {
  it('prints every line within 100 columns, with no index column, the verification in one line', () => {
    const tally = (n: number) => ({
      intents: n * 100,
      allowed: n * 90,
      denied: n * 7,
      modified: n,
      escalated: n,
      escalationsApproved: n,
      escalationsRejected: 0,
      escalationsTimedOut: 0,
      escalationsUnanswered: 0,
      halted: n * 300,
      errors: 0,
      deniedBy: {},
      auditRecords: n * 400,
    });
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(...args.map(String).join(' ').split('\n'));
    });
    try {
      printReport({
        seconds: 30,
        seed: 7,
        byType: new Map(AGENT_TYPES.map((t, i) => [t, tally(i + 1)])),
        failureModes: [
          {
            name: 'race to the bottom',
            description: 'two pricing agents undercut each other',
            contained: true,
            how: 'cut 2 times, then pending review→approved, pending review→approved, pending review→rejected, pending review→rejected',
            by: 'retail.pricing.race-to-the-bottom',
          },
          { name: 'mispricing bug', description: '', contained: false, how: '3/300 stopped', by: 'nothing' },
        ],
        breakerTrips: [
          {
            name: 'pricing-blast-radius',
            switchId: '01a234af-0000-7000-8000-000000000000',
            at: '2026-12-02T13:00:01.123Z',
            reason:
              'too many SKUs repriced: distinct_skus_repriced 21 > 20 within 60s, agents pricing-1, pricing-2',
          },
        ],
        verificationViolations: 1,
        auditRecords: 1_749,
        auditVerification: { ok: true, detail: '27 chains, 1,749 records: passed' },
        reviewer: { approved: 7, rejected: 5 },
      });
    } finally {
      log.mockRestore();
    }
    expect(lines.filter((l) => l.length > 100)).toEqual([]);
    const text = lines.join('\n');
    expect(text).not.toContain('(index)');
    expect(text).toContain('│ dynamic pricing  │');
    expect(text).toContain('✘ NOT CONTAINED');
    expect(text).toContain('pricing-blast-radius');
    expect(lines).toContain('Audit chain verification: 27 chains, 1,749 records: passed');
  });
});
